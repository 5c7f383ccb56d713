-- Finished timers on operations, with the part they cost to, for one scope of parts
-- (a hash partition of the part keys, or a list of keys). Reversed timers are kept: they still give
-- their part an (all-zero) cost row. The xmin columns tell whether a loaded row was written since the
-- run's reference snapshot (engine/changes.py).
SELECT o.part_id, t.id AS timer_id, t.user_id, t.start_time AS start_ms, t.finish_time AS finish_ms,
       t.xmin::text::bigint AS timer_xmin, o.xmin::text::bigint AS operation_xmin
FROM tasks_timer AS t
JOIN tasks_operation AS o ON o.key = t.object_id
WHERE t.content_type_id = %(operation_ct)s
  AND t.finish_time IS NOT NULL
  AND mod(hashtext(o.part_id)::bigint + 2147483648, %(partitions)s) = %(partition)s
  AND (%(part_keys)s::text[] IS NULL OR o.part_id = ANY(%(part_keys)s::text[]))
