-- Claim a batch of queued parts for this transaction. Rows another drainer holds are skipped, and
-- the app's bump of a claimed row waits until this transaction ends, so a change is never lost.
-- Rows this drainer already failed on are skipped until the app bumps them (a new enqueued_at);
-- with %(only)s, just those parts.
SELECT part_id, enqueued_at
FROM tasks_partcostrecalcqueue AS queued
WHERE NOT EXISTS (SELECT 1 FROM unnest(%(skip_parts)s::text[], %(skip_enqueued_at)s::timestamptz[]) AS skip (part_id, enqueued_at)
                  WHERE skip.part_id = queued.part_id AND skip.enqueued_at = queued.enqueued_at)
  AND (%(only)s::text[] IS NULL OR part_id = ANY(%(only)s::text[]))
ORDER BY enqueued_at
LIMIT %(batch_size)s
FOR UPDATE SKIP LOCKED
