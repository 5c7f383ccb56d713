-- machining_jobcostagguser → tasks_partcostaguser likewise: a part that already has per-user
-- cost rows keeps them (its old rows are skipped). Returns how many rows were copied.
-- The parts that already have rows, taken before inserting: a plan that looked them up in
-- tasks_partcostaguser itself would rescan the rows this very statement adds.
CREATE TEMP TABLE parts_with_user_costs (part_id varchar(255) PRIMARY KEY) ON COMMIT DROP;
INSERT INTO parts_with_user_costs SELECT DISTINCT part_id FROM tasks_partcostaguser;
ANALYZE parts_with_user_costs;

WITH copied AS (
    INSERT INTO tasks_partcostaguser (part_id, user_id, job_no_cached, currency, hours_ww, hours_ah,
                                      hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)
    SELECT p.key, c.user_id, c.job_no_cached, c.currency, c.hours_ww, c.hours_ah, c.hours_su,
           c.cost_ww, c.cost_ah, c.cost_su, c.total_cost, c.updated_at
    FROM machining_jobcostagguser AS c
    JOIN tasks_part AS p ON p.task_key = c.task_id
    WHERE NOT EXISTS (SELECT 1 FROM parts_with_user_costs AS x WHERE x.part_id = p.key)
    RETURNING 1
)
SELECT count(*) FROM copied;
