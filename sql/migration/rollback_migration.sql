-- Undo migrate-tasks and migrate-costs: the timers the migration recorded as moved go back to the
-- machining task content type (object_id unchanged), then the record, the migrated parts' cost and
-- queue rows, operations and parts are deleted. Native parts (task_key NULL) are not touched.
-- The other indexed columns are named on purpose, as in move_task_timers.sql (no bottom-up deletion).
-- Run without nested loops (partcost.db.plans.whole_tables): every join is a hash join of whole tables; the
-- recorded timer ids are listed first (MATERIALIZED), so tasks_timer is not joined once per record.
WITH recorded AS MATERIALIZED (
    SELECT r.task_key, unnest(r.timer_ids) AS id  -- in the select list: a LATERAL join would be a nested loop
    FROM tasks_part AS p
    JOIN partcost_migrated_task AS r ON r.task_key = p.task_key
)
UPDATE tasks_timer AS timer
SET content_type_id = %(task_type)s,
    id = timer.id, user_id = timer.user_id, stopped_by_id = timer.stopped_by_id,
    machine_fk_id = timer.machine_fk_id
FROM recorded
WHERE timer.id = recorded.id
  AND timer.content_type_id = %(operation_type)s
  AND timer.object_id = recorded.task_key;

DELETE FROM partcost_migrated_task AS r USING tasks_part AS p
WHERE p.task_key = r.task_key;
DELETE FROM tasks_partcostaguser AS c USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND c.part_id = p.key;
DELETE FROM tasks_partcostagg AS c USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND c.part_id = p.key;
DELETE FROM tasks_partcostrecalcqueue AS q USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND q.part_id = p.key;
DELETE FROM tasks_operation AS o USING tasks_part AS p
WHERE p.task_key IS NOT NULL AND o.part_id = p.key AND o.key = p.task_key;
DELETE FROM tasks_part WHERE task_key IS NOT NULL;
