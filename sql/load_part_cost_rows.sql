-- The stored per-part cost rows of the scope, values as numeric text for an exact comparison.
SELECT part_id, job_no_cached, currency, hours_ww::text, hours_ah::text, hours_su::text,
       cost_ww::text, cost_ah::text, cost_su::text, total_cost::text
FROM tasks_partcostagg
WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s
  AND (%(part_keys)s::text[] IS NULL OR part_id = ANY(%(part_keys)s::text[]))
