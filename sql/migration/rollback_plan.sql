-- What `partcost rollback` would undo: the migrated parts (task_key set), their operations, the
-- timers the migration moved (as partcost's record lists them, and still on the operation), their
-- cost and queue rows; and what stops it: a migrated part without a record, an operation added since.
-- unmoved_timers: timers on migrated operations the migration did not move; they stay as they are.
-- Run without nested loops (partcost.db.plans.whole_tables). The recorded timer ids are listed first
-- (recorded, MATERIALIZED), so that the join with tasks_timer is one hash join of whole tables, not one
-- per migrated part inside the LATERAL loop over the records.
WITH migrated AS (
    SELECT p.key, p.task_key, r.timer_ids
    FROM tasks_part AS p
    LEFT JOIN {record} AS r ON r.task_key = p.task_key
    WHERE p.task_key IS NOT NULL
), recorded AS MATERIALIZED (
    SELECT m.task_key, unnest(m.timer_ids) AS id  -- in the select list: a LATERAL join would be a nested loop
    FROM migrated AS m
), moved AS (
    SELECT timer.id
    FROM recorded
    JOIN tasks_timer AS timer ON timer.id = recorded.id
    WHERE timer.content_type_id = %(operation_type)s AND timer.object_id = recorded.task_key
)
SELECT (SELECT count(*) FROM migrated) AS parts,
       (SELECT count(*) FROM tasks_operation AS o JOIN migrated AS m ON o.part_id = m.key
        WHERE o.key = m.task_key) AS operations,
       (SELECT count(*) FROM moved) AS timers,
       (SELECT count(*) FROM tasks_timer AS timer JOIN migrated AS m ON timer.object_id = m.task_key
        WHERE timer.content_type_id = %(operation_type)s) - (SELECT count(*) FROM moved) AS unmoved_timers,
       (SELECT count(*) FROM tasks_partcostagg AS c JOIN migrated AS m ON c.part_id = m.key) AS part_costs,
       (SELECT count(*) FROM tasks_partcostaguser AS c JOIN migrated AS m ON c.part_id = m.key) AS part_user_costs,
       (SELECT count(*) FROM tasks_partcostrecalcqueue AS q JOIN migrated AS m ON q.part_id = m.key) AS queued,
       (SELECT count(*) FROM migrated WHERE timer_ids IS NULL) AS unrecorded_parts,
       (SELECT min(key) FROM migrated WHERE timer_ids IS NULL) AS first_unrecorded,
       (SELECT min(o.key) FROM tasks_operation AS o JOIN migrated AS m ON o.part_id = m.key
        WHERE o.key <> m.task_key) AS added_operation;
