-- The stored per-user cost rows of the scope, values in cents.
SELECT id, part_id, user_id, job_no_cached, currency, (hours_ww * 100)::bigint AS hours_ww, (hours_ah * 100)::bigint AS hours_ah,
       (hours_su * 100)::bigint AS hours_su, (cost_ww * 100)::bigint AS cost_ww, (cost_ah * 100)::bigint AS cost_ah,
       (cost_su * 100)::bigint AS cost_su, (total_cost * 100)::bigint AS total_cost
FROM tasks_partcostaguser
WHERE mod(hashtext(part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s
  AND (%(part_keys)s::text[] IS NULL OR part_id = ANY(%(part_keys)s::text[]))
