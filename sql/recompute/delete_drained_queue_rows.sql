-- Remove the drained queue rows, but only those not bumped since they were claimed.
DELETE FROM tasks_partcostrecalcqueue AS queued
USING unnest(%(part_ids)s::text[], %(enqueued_at)s::timestamptz[]) AS claimed (part_id, enqueued_at)
WHERE queued.part_id = claimed.part_id AND queued.enqueued_at = claimed.enqueued_at
