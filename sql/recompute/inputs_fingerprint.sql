-- What one partition's cost rows depend on — its parts, and its finished timers with their
-- operations — as row counts and sums of xmin (the transaction that last wrote each row): any
-- insert, update or delete of such a row changes it. load_timers.sql and load_parts.sql return the
-- same xmin columns, so a worker that loaded them computes the same figures without this query.
SELECT count(*), coalesce(sum(t.xmin::text::bigint), 0), coalesce(sum(o.xmin::text::bigint), 0),
       (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM tasks_part
        WHERE mod({part_hash(key)}, %(partitions)s) = %(partition)s)
FROM tasks_timer AS t
JOIN tasks_operation AS o ON o.key = t.object_id
WHERE t.content_type_id = %(operation_ct)s
  AND t.finish_time IS NOT NULL
  AND mod({part_hash(o.part_id)}, %(partitions)s) = %(partition)s
