-- Finished timers on operations, with the part they cost to, for one scope of parts
-- (a hash partition of the part keys, or a list of keys). Reversed timers are kept: they still give
-- their part an (all-zero) cost row. The xmin columns tell whether a loaded row was written since the
-- run's reference snapshot (partcost.recompute.changes).
-- Each operation's timers are looked up by it, through the (content type, object) index (LATERAL,
-- OFFSET 0): a join could be planned, with statistics that say one of the two tables holds one row,
-- as a loop reading the other whole again for each of its rows.
SELECT o.part_id, t.id AS timer_id, t.user_id, t.start_time AS start_ms, t.finish_time AS finish_ms,
       t.timer_xmin, o.xmin::text::bigint AS operation_xmin
FROM tasks_operation AS o
CROSS JOIN LATERAL (SELECT id, user_id, start_time, finish_time, xmin::text::bigint AS timer_xmin
                    FROM tasks_timer
                    WHERE content_type_id = %(operation_ct)s AND object_id = o.key AND finish_time IS NOT NULL
                    OFFSET 0) AS t
WHERE mod({part_hash(o.part_id)}, %(partitions)s) = %(partition)s
  AND (%(part_keys)s::text[] IS NULL OR o.part_id = ANY(%(part_keys)s::text[]))
