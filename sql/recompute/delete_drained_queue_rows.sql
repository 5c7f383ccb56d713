-- Remove the drained queue rows, but only those not bumped since they were claimed: a row goes when
-- its part is one of part_ids and its enqueued_at is the one claimed for that part (part_ids has each
-- part once: they are claimed queue rows, keyed by part). No join to plan: the rows are found through
-- the queue's primary key and each one's claimed enqueued_at is read by its position — a join with
-- the claimed pairs, planned with statistics that say the queue holds one row, read all the pairs
-- again for every queued row.
DELETE FROM tasks_partcostrecalcqueue AS queued
WHERE queued.part_id = ANY(%(part_ids)s::text[])
  AND queued.enqueued_at = (%(enqueued_at)s::timestamptz[])[array_position(%(part_ids)s::text[], queued.part_id::text)]
