-- The pending tasks' timers move to their operations: only the content type changes.
-- The other indexed columns are assigned to themselves on purpose: an UPDATE that names an index's
-- columns does not hint that the index is unchanged, which spares every full leaf page of those
-- indexes a bottom-up deletion pass that cannot succeed for the rows this very batch updates (a
-- third of the statement's time). Their values, and so their foreign-key checks, stay as they are.
UPDATE tasks_timer AS timer
SET content_type_id = %(operation_type)s,
    id = timer.id, user_id = timer.user_id, stopped_by_id = timer.stopped_by_id,
    machine_fk_id = timer.machine_fk_id
FROM migration_batch AS b
WHERE b.outcome = 'pending'
  AND timer.content_type_id = %(task_type)s
  AND timer.object_id = b.key;

UPDATE migration_batch SET outcome = 'migrated' WHERE outcome = 'pending';
