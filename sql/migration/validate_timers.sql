-- Check 4 and the timer checks: where timers point after the migration.
SELECT count(*) FILTER (WHERE timer.content_type_id = %(operation_type)s) AS timers_on_operations,
       count(*) FILTER (WHERE timer.content_type_id = %(task_type)s
                          AND timer.object_id <> ALL(%(excluded)s::text[])) AS timers_on_tasks,
       count(*) FILTER (WHERE timer.content_type_id = %(task_type)s AND EXISTS (
           SELECT 1 FROM tasks_part AS p WHERE p.task_key = timer.object_id)) AS timers_left_on_migrated_tasks,
       count(*) FILTER (WHERE
           (timer.content_type_id = %(task_type)s
            AND NOT EXISTS (SELECT 1 FROM machining_task AS t WHERE t.key = timer.object_id))
        OR (timer.content_type_id = %(operation_type)s
            AND NOT EXISTS (SELECT 1 FROM tasks_operation AS o WHERE o.key = timer.object_id))
       ) AS timers_without_object
FROM tasks_timer AS timer;
