-- The planner's row estimate for tasks_timer (-1 before the first ANALYZE), else an exact count.
SELECT CASE WHEN reltuples >= 0 THEN reltuples::bigint ELSE (SELECT count(*) FROM tasks_timer) END
FROM pg_class WHERE oid = 'tasks_timer'::regclass
