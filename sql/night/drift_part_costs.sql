-- Every migrated part's recomputed total (tasks_partcostagg) next to the old total copied from
-- machining_jobcostagg (by task key), in cents; NULL where a side has no row.
SELECT p.key AS part, p.job_no AS job, p.task_key AS task,
       (round(old.total_cost * 100))::bigint AS old_cents,
       (round(new.total_cost * 100))::bigint AS new_cents
FROM tasks_part AS p
LEFT JOIN machining_jobcostagg AS old ON old.task_id = p.task_key
LEFT JOIN tasks_partcostagg AS new ON new.part_id = p.key
WHERE p.task_key IS NOT NULL
