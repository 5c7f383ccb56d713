-- The batch's last key in machining_task.key's own order, which the next batch pages by
-- (migrate_tasks_batch_load.sql). The column may be collated unlike the database default that
-- migration_batch.key has, so the maximum is taken over the task table's column, not the batch's.
SELECT max(t.key)
FROM migration_batch AS b
JOIN machining_task AS t ON t.key = b.key;
