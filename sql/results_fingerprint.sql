-- One partition's stored cost rows as row counts and sums of xmin (see inputs_fingerprint.sql).
SELECT agg.rows, agg.xmin_sum, per_user.rows, per_user.xmin_sum
FROM (SELECT count(*) AS rows, coalesce(sum(xmin::text::bigint), 0) AS xmin_sum FROM tasks_partcostagg
      WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s) AS agg,
     (SELECT count(*) AS rows, coalesce(sum(xmin::text::bigint), 0) AS xmin_sum FROM tasks_partcostaguser
      WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s) AS per_user
