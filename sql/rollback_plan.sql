-- What `partcost rollback` would undo: the migrated parts (task_key set), their operations, the
-- timers on those operations, their cost and queue rows, and any operation added to them since.
WITH migrated AS (SELECT key, task_key FROM tasks_part WHERE task_key IS NOT NULL)
SELECT (SELECT count(*) FROM migrated) AS parts,
       (SELECT count(*) FROM tasks_operation AS o JOIN migrated AS m ON o.part_id = m.key
        WHERE o.key = m.task_key) AS operations,
       (SELECT count(*) FROM tasks_timer AS timer JOIN migrated AS m ON timer.object_id = m.task_key
        WHERE timer.content_type_id = %(operation_type)s) AS timers,
       (SELECT count(*) FROM tasks_partcostagg AS c JOIN migrated AS m ON c.part_id = m.key) AS part_costs,
       (SELECT count(*) FROM tasks_partcostaguser AS c JOIN migrated AS m ON c.part_id = m.key) AS part_user_costs,
       (SELECT count(*) FROM tasks_partcostrecalcqueue AS q JOIN migrated AS m ON q.part_id = m.key) AS queued,
       (SELECT min(o.key) FROM tasks_operation AS o JOIN migrated AS m ON o.part_id = m.key
        WHERE o.key <> m.task_key) AS added_operation;
