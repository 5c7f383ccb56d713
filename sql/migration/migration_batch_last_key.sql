-- The batch's last key in machining_task.key's own order, which the next batch pages by
-- (migrate_tasks_batch_load.sql). The column may be collated unlike the database default that
-- migration_batch.key has, so the maximum is taken over the task table's column, not the batch's.
-- Each task is looked up by its key (LATERAL, OFFSET 0: not a join, whatever the statistics).
SELECT max(t.key)
FROM migration_batch AS b
CROSS JOIN LATERAL (SELECT key FROM machining_task AS t WHERE t.key = b.key OFFSET 0) AS t;
