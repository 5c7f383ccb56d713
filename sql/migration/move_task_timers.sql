-- The pending tasks' timers move to their operations: only the content type changes. Which timers
-- moved is recorded per task (partcost_migrated_task, an empty list for a task without timers) in
-- the same statement, so rollback can move back exactly these.
-- The other indexed columns are assigned to themselves on purpose: an UPDATE that names an index's
-- columns does not hint that the index is unchanged, which spares every full leaf page of those
-- indexes a bottom-up deletion pass that cannot succeed for the rows this very batch updates (a
-- third of the statement's time). Their values, and so their foreign-key checks, stay as they are.
WITH moved AS (
    UPDATE tasks_timer AS timer
    SET content_type_id = %(operation_type)s,
        id = timer.id, user_id = timer.user_id, stopped_by_id = timer.stopped_by_id,
        machine_fk_id = timer.machine_fk_id
    FROM migration_batch AS b
    WHERE b.outcome = 'pending'
      AND timer.content_type_id = %(task_type)s
      AND timer.object_id = b.key
    RETURNING timer.id, b.key
)
INSERT INTO partcost_migrated_task (task_key, timer_ids)
SELECT b.key, coalesce(array_agg(moved.id ORDER BY moved.id) FILTER (WHERE moved.id IS NOT NULL), '{}')
FROM migration_batch AS b
LEFT JOIN moved ON moved.key = b.key
WHERE b.outcome = 'pending'
GROUP BY b.key
ON CONFLICT (task_key) DO UPDATE SET timer_ids = excluded.timer_ids;

UPDATE migration_batch SET outcome = 'migrated' WHERE outcome = 'pending';
