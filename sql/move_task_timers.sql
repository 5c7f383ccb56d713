-- The pending tasks' timers move to their operations: only the content type changes.
UPDATE tasks_timer AS timer SET content_type_id = %(operation_type)s
FROM migration_batch AS b
WHERE b.outcome = 'pending'
  AND timer.content_type_id = %(task_type)s
  AND timer.object_id = b.key;

UPDATE migration_batch SET outcome = 'migrated' WHERE outcome = 'pending';
