-- A scope's stored cost rows, per table: how many there are, how many this transaction wrote (their
-- xmin is its own xid, the parameter from transaction_xid.sql; none before it writes), and the xmin sum
-- of all the others: after a write, the proof that no other writer inserted, replaced or deleted one
-- of them meanwhile.
WITH me AS (SELECT %(xid)s::bigint AS xid)
SELECT agg.rows, agg.written, agg.others_xmin, per_user.rows, per_user.written, per_user.others_xmin
FROM me,
     LATERAL (SELECT count(*) AS rows, count(*) FILTER (WHERE xmin::text::bigint = me.xid) AS written,
                     coalesce(sum(xmin::text::bigint) FILTER (WHERE xmin::text::bigint <> me.xid), 0) AS others_xmin
              FROM tasks_partcostagg
              WHERE mod({part_hash(part_id)}, %(partitions)s) = %(partition)s
                AND (%(part_keys)s::text[] IS NULL OR part_id = ANY(%(part_keys)s::text[]))) AS agg,
     LATERAL (SELECT count(*) AS rows, count(*) FILTER (WHERE xmin::text::bigint = me.xid) AS written,
                     coalesce(sum(xmin::text::bigint) FILTER (WHERE xmin::text::bigint <> me.xid), 0) AS others_xmin
              FROM tasks_partcostaguser
              WHERE mod({part_hash(part_id)}, %(partitions)s) = %(partition)s
                AND (%(part_keys)s::text[] IS NULL OR part_id = ANY(%(part_keys)s::text[]))) AS per_user
