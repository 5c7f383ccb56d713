-- The key that splits the tasks into two halves of the same size, in machining_task.key's own order
-- (the order batches page by, migrate_tasks_batch_load.sql): the last key of the first half.
SELECT key
FROM machining_task
ORDER BY key
OFFSET (SELECT (count(*) - 1) / 2 FROM machining_task)
LIMIT 1;
