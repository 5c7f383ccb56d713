-- Old JobCostAgg rows whose task has no migrated part: their cost is in neither new table.
SELECT count(*) FROM machining_jobcostagg AS c
WHERE NOT EXISTS (SELECT 1 FROM tasks_part AS p WHERE p.task_key = c.task_id)
