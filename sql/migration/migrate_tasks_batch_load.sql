-- The next batch: up to %(size)s tasks after key %(after)s (NULL: from the start) and up to key
-- %(until)s (NULL: to the end), in key order.
TRUNCATE migration_batch;
INSERT INTO migration_batch (key, outcome)
SELECT key, 'pending'
FROM machining_task
WHERE (%(after)s::text IS NULL OR key > %(after)s)
  AND (%(until)s::text IS NULL OR key <= %(until)s)
ORDER BY key
LIMIT %(size)s;
ANALYZE migration_batch;
