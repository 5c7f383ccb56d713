-- The physical floor of migrate-costs (partcost bench, on a copy after the migrate-tasks floor): the
-- same cost rows copied by the two plainest INSERT … SELECT statements, in one transaction.
INSERT INTO tasks_partcostagg (part_id, job_no_cached, currency, hours_ww, hours_ah, hours_su,
                               cost_ww, cost_ah, cost_su, total_cost, updated_at)
SELECT p.key, c.job_no_cached, c.currency, c.hours_ww, c.hours_ah, c.hours_su,
       c.cost_ww, c.cost_ah, c.cost_su, c.total_cost, c.updated_at
FROM machining_jobcostagg AS c
JOIN tasks_part AS p ON p.task_key = c.task_id;

INSERT INTO tasks_partcostaguser (part_id, user_id, job_no_cached, currency, hours_ww, hours_ah,
                                  hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)
SELECT p.key, c.user_id, c.job_no_cached, c.currency, c.hours_ww, c.hours_ah, c.hours_su,
       c.cost_ww, c.cost_ah, c.cost_su, c.total_cost, c.updated_at
FROM machining_jobcostagguser AS c
JOIN tasks_part AS p ON p.task_key = c.task_id;
