-- The stored per-user cost rows of the scope (numeric(…, 2) values print with exactly two decimals), with
-- the xmin that proves after the write that no other writer touched them (verify_written.sql).
SELECT xmin::text::bigint AS row_xmin, id, part_id, user_id, job_no_cached, currency, hours_ww, hours_ah, hours_su,
       cost_ww, cost_ah, cost_su, total_cost
FROM tasks_partcostaguser
WHERE mod({part_hash(part_id)}, %(partitions)s) = %(partition)s
  AND (%(part_keys)s::text[] IS NULL OR part_id = ANY(%(part_keys)s::text[]))
