-- Serialize writers of the same parts (recompute partitions, queue drainers) until COMMIT: each part
-- belongs to one of LOCK_SLOTS lock slots by the hash of its key (part_slots.sql); slots are always
-- taken in ascending order.
SELECT pg_advisory_xact_lock(%(namespace)s, slot)
FROM (SELECT DISTINCT slot FROM unnest(%(slots)s::int[]) AS slot ORDER BY slot) AS ordered
