-- Claim a batch of queued parts for this transaction. Rows another drainer holds are skipped, and
-- the app's bump of a claimed row waits until this transaction ends, so a change is never lost.
SELECT part_id, enqueued_at
FROM tasks_partcostrecalcqueue
WHERE part_id <> ALL(%(skip)s::text[])
ORDER BY enqueued_at
LIMIT %(batch_size)s
FOR UPDATE SKIP LOCKED
