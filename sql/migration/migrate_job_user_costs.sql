-- machining_jobcostagguser → tasks_partcostaguser likewise, per (part, user) as the factory's own
-- command does it: a part's existing row for a user is kept (that old row is skipped), its other
-- users' old rows are copied. Returns how many rows were copied.
-- The rows already there, taken before inserting: a plan that looked them up in
-- tasks_partcostaguser itself would rescan the rows this very statement adds.
CREATE TEMP TABLE user_costs_present (part_id varchar(255), user_id integer,
                                      PRIMARY KEY (part_id, user_id)) ON COMMIT DROP;
INSERT INTO user_costs_present SELECT part_id, user_id FROM tasks_partcostaguser;
ANALYZE user_costs_present;

WITH copied AS (
    INSERT INTO tasks_partcostaguser (part_id, user_id, job_no_cached, currency, hours_ww, hours_ah,
                                      hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)
    SELECT p.key, c.user_id, c.job_no_cached, c.currency, c.hours_ww, c.hours_ah, c.hours_su,
           c.cost_ww, c.cost_ah, c.cost_su, c.total_cost, c.updated_at
    FROM machining_jobcostagguser AS c
    JOIN tasks_part AS p ON p.task_key = c.task_id
    WHERE NOT EXISTS (SELECT 1 FROM user_costs_present AS x
                      WHERE x.part_id = p.key AND x.user_id = c.user_id)
    RETURNING 1
)
SELECT count(*) FROM copied;
