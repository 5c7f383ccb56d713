-- As changes_table.sql for the rows load_timers.sql loads — finished timers on operations, joined to
-- their operation — per hash partition of the operation's part: a row counts as written in the window
-- when its timer or its operation was.
SELECT mod(hashtext(o.part_id)::bigint + 2147483648, %(partitions)s)::int,
       count(*),
       count(*) FILTER (WHERE age(t.xmin) <= %(window)s OR age(o.xmin) <= %(window)s)
FROM tasks_timer AS t
JOIN tasks_operation AS o ON o.key = t.object_id
WHERE t.content_type_id = %(operation_ct)s
  AND t.finish_time IS NOT NULL
GROUP BY 1
