-- As changes_table.sql, per hash partition of the table's part key column (the partitions of
-- load_parts.sql and load_part_cost_rows.sql).
SELECT mod(hashtext({key})::bigint + 2147483648, %(partitions)s)::int,
       count(*),
       count(*) FILTER (WHERE age(xmin) <= %(window)s AND xmin <> ALL(%(own)s::text[]::xid[]))
FROM {table}
GROUP BY 1
