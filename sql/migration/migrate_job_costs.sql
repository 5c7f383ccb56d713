-- machining_jobcostagg → tasks_partcostagg for every task that has a part, values copied.
-- A part that already has a cost row is left as it is. Returns the (task key, part key) copied.
-- The parts that already have rows, taken before inserting: a plan that looked them up in
-- tasks_partcostagg itself would rescan the rows this very statement adds.
CREATE TEMP TABLE parts_with_costs (part_id varchar(255) PRIMARY KEY) ON COMMIT DROP;
INSERT INTO parts_with_costs SELECT DISTINCT part_id FROM tasks_partcostagg;
ANALYZE parts_with_costs;

WITH copied AS (
    INSERT INTO tasks_partcostagg (part_id, job_no_cached, currency, hours_ww, hours_ah, hours_su,
                                   cost_ww, cost_ah, cost_su, total_cost, updated_at)
    SELECT p.key, c.job_no_cached, c.currency, c.hours_ww, c.hours_ah, c.hours_su,
           c.cost_ww, c.cost_ah, c.cost_su, c.total_cost, c.updated_at
    FROM machining_jobcostagg AS c
    JOIN tasks_part AS p ON p.task_key = c.task_id
    WHERE NOT EXISTS (SELECT 1 FROM parts_with_costs AS x WHERE x.part_id = p.key)
    RETURNING part_id
)
SELECT p.task_key, p.key FROM copied JOIN tasks_part AS p ON p.key = copied.part_id ORDER BY 1;
