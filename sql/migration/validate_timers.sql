-- Check 4 and the timer checks: where timers point after the migration. The timers on operations (all
-- but a few, after the migration) are joined once to the operations — a join the planner may hash or
-- merge: looked up one by one, as a correlated EXISTS per timer does, each lookup grows costlier as the
-- index outgrows the cache (11 µs a timer at 1,000,000 tasks, 7 at 100,000). The few timers left on
-- tasks are looked up one by one.
WITH on_operations AS (
    SELECT count(*) AS timers, count(*) FILTER (WHERE operation.key IS NULL) AS without_object
    FROM tasks_timer AS timer
    LEFT JOIN tasks_operation AS operation ON operation.key = timer.object_id
    WHERE timer.content_type_id = %(operation_type)s
), on_tasks AS (
    SELECT count(*) FILTER (WHERE timer.object_id <> ALL(%(excluded)s::text[])) AS timers,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM tasks_part AS p WHERE p.task_key = timer.object_id))
               AS on_migrated_tasks,
           count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM machining_task AS t WHERE t.key = timer.object_id))
               AS without_object
    FROM tasks_timer AS timer
    WHERE timer.content_type_id = %(task_type)s
)
-- Read as scalar subqueries, not joined (see validate_costs.sql).
SELECT (SELECT timers FROM on_operations) AS timers_on_operations,
       (SELECT timers FROM on_tasks) AS timers_on_tasks,
       (SELECT on_migrated_tasks FROM on_tasks) AS timers_left_on_migrated_tasks,
       (SELECT without_object FROM on_tasks) + (SELECT without_object FROM on_operations) AS timers_without_object;
