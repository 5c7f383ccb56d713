-- Checks 1-3 and the operation-key check: tasks vs migrated parts, and each migrated part's operations.
WITH migrated AS (
    SELECT p.key, p.task_key,
           (SELECT count(*) FROM tasks_operation AS o WHERE o.part_id = p.key) AS operations,
           EXISTS (SELECT 1 FROM tasks_operation AS o
                   WHERE o.part_id = p.key AND o.key = p.task_key) AS has_task_key_operation
    FROM tasks_part AS p
    WHERE p.task_key IS NOT NULL
)
SELECT (SELECT count(*) FROM machining_task) AS tasks,
       (SELECT count(*) FROM migrated) AS parts,
       (SELECT count(*) FROM machining_task AS t
        WHERE NOT EXISTS (SELECT 1 FROM tasks_part AS p WHERE p.task_key = t.key)
          AND t.key <> ALL(%(excluded)s::text[])) AS tasks_without_part,
       (SELECT coalesce(sum(operations), 0)::bigint FROM migrated) AS operations,
       (SELECT count(*) FROM migrated WHERE operations = 0) AS parts_without_operation,
       (SELECT count(*) FROM migrated WHERE operations <> 1) AS parts_without_exactly_one,
       (SELECT count(*) FROM migrated
        WHERE operations <> 1 OR NOT has_task_key_operation) AS parts_without_task_key_operation;
