-- machining_jobcostagguser → tasks_partcostaguser likewise: a part that already has per-user
-- cost rows keeps them (its old rows are skipped). Returns (task key, part key, user id) copied.
WITH copied AS (
    INSERT INTO tasks_partcostaguser (part_id, user_id, job_no_cached, currency, hours_ww, hours_ah,
                                      hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)
    SELECT p.key, c.user_id, c.job_no_cached, c.currency, c.hours_ww, c.hours_ah, c.hours_su,
           c.cost_ww, c.cost_ah, c.cost_su, c.total_cost, c.updated_at
    FROM machining_jobcostagguser AS c
    JOIN tasks_part AS p ON p.task_key = c.task_id
    WHERE NOT EXISTS (SELECT 1 FROM tasks_partcostaguser AS x WHERE x.part_id = p.key)
    RETURNING part_id, user_id
)
SELECT p.task_key, p.key, copied.user_id
FROM copied JOIN tasks_part AS p ON p.key = copied.part_id ORDER BY 1, 3;
