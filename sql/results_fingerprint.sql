-- One partition's stored cost rows as row counts and sums of xmin (see inputs_fingerprint.sql).
SELECT (SELECT count(*) FROM tasks_partcostagg
        WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s),
       (SELECT coalesce(sum(xmin::text::bigint), 0) FROM tasks_partcostagg
        WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s),
       (SELECT count(*) FROM tasks_partcostaguser
        WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s),
       (SELECT coalesce(sum(xmin::text::bigint), 0) FROM tasks_partcostaguser
        WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s)
