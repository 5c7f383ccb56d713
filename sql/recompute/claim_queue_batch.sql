-- Claim a batch of queued parts for this transaction. Rows another drainer holds are skipped, and
-- the app's bump of a claimed row waits until this transaction ends, so a change is never lost.
-- Rows this drainer already failed on are skipped until the app bumps them (a new enqueued_at);
-- with %(only)s, just those parts. NOT IN (neither side is ever NULL) is a hashed subquery read once,
-- never a join: joined, with statistics that say the queue holds one row, the skipped pairs were read
-- again for every queued row.
SELECT part_id, enqueued_at
FROM tasks_partcostrecalcqueue AS queued
WHERE (queued.part_id::text, queued.enqueued_at) NOT IN
      (SELECT * FROM unnest(%(skip_parts)s::text[], %(skip_enqueued_at)s::timestamptz[]))
  AND (%(only)s::text[] IS NULL OR part_id = ANY(%(only)s::text[]))
ORDER BY enqueued_at
LIMIT %(batch_size)s
FOR UPDATE SKIP LOCKED
