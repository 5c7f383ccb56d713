-- Undo migrate-tasks and migrate-costs: timers back to the machining task content type (object_id
-- unchanged), then the migrated parts' cost and queue rows, operations and parts. Native parts
-- (task_key NULL) are not touched.
-- The other indexed columns are named on purpose, as in move_task_timers.sql (no bottom-up deletion).
UPDATE tasks_timer AS timer
SET content_type_id = %(task_type)s,
    id = timer.id, user_id = timer.user_id, stopped_by_id = timer.stopped_by_id,
    machine_fk_id = timer.machine_fk_id
FROM tasks_part AS p
WHERE p.task_key IS NOT NULL
  AND timer.content_type_id = %(operation_type)s
  AND timer.object_id = p.task_key;

DELETE FROM tasks_partcostaguser AS c USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND c.part_id = p.key;
DELETE FROM tasks_partcostagg AS c USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND c.part_id = p.key;
DELETE FROM tasks_partcostrecalcqueue AS q USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND q.part_id = p.key;
DELETE FROM tasks_operation AS o USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND o.part_id = p.key AND o.key = p.task_key;
DELETE FROM tasks_part WHERE task_key IS NOT NULL;
