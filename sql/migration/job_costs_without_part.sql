-- Old cost rows whose task has no part (the task was not migrated): migrate-costs' failures.
SELECT 'machining_jobcostagg' AS source, c.task_id, NULL::integer AS user_id
FROM machining_jobcostagg AS c
WHERE NOT EXISTS (SELECT 1 FROM tasks_part AS p WHERE p.task_key = c.task_id)
UNION ALL
SELECT 'machining_jobcostagguser', c.task_id, c.user_id
FROM machining_jobcostagguser AS c
WHERE NOT EXISTS (SELECT 1 FROM tasks_part AS p WHERE p.task_key = c.task_id)
ORDER BY 1, 2, 3;
