-- Checks 1-3 and the operation-key check: tasks vs migrated parts, and each migrated part's operations.
WITH migrated AS (
    SELECT p.key, count(o.part_id) AS operations,
           coalesce(bool_or(o.key = p.task_key), false) AS has_task_key_operation
    FROM tasks_part AS p
    LEFT JOIN tasks_operation AS o ON o.part_id = p.key
    WHERE p.task_key IS NOT NULL
    GROUP BY p.key
), parts AS (
    SELECT count(*) AS parts,
           coalesce(sum(operations), 0)::bigint AS operations,
           count(*) FILTER (WHERE operations = 0) AS parts_without_operation,
           count(*) FILTER (WHERE operations <> 1) AS parts_without_exactly_one,
           count(*) FILTER (WHERE operations <> 1 OR NOT has_task_key_operation) AS parts_without_task_key_operation
    FROM migrated
)
SELECT (SELECT count(*) FROM machining_task) AS tasks,
       parts.parts,
       (SELECT count(*) FROM machining_task AS t
        WHERE NOT EXISTS (SELECT 1 FROM tasks_part AS p WHERE p.task_key = t.key)
          AND t.key <> ALL(%(excluded)s::text[])) AS tasks_without_part,
       parts.operations,
       parts.parts_without_operation,
       parts.parts_without_exactly_one,
       parts.parts_without_task_key_operation
FROM parts;
