-- The pending tasks' timers move to their operations: only the content type changes. Which timers
-- moved is recorded per task (partcost_migrated_task, an empty list for a task without timers) in
-- the same statement, so rollback can move back exactly these.
-- The other indexed columns are assigned to themselves on purpose: an UPDATE that names an index's
-- columns does not hint that the index is unchanged, which spares every full leaf page of those
-- indexes a bottom-up deletion pass that cannot succeed for the rows this very batch updates (a
-- third of the statement's time). Their values, and so their foreign-key checks, stay as they are.
-- No join the planner could get wrong: each task's timers are found through the (content type,
-- object) index (LATERAL, OFFSET 0), the timers updated through the primary key (= ANY), each one
-- rechecked against the batch by its key; the record groups the moved timers with the batch's keys
-- (UNION ALL, GROUP BY) instead of joining them. Joined, with statistics that say tasks_timer (or the
-- rows just moved) hold one row, the batch or the moved timers were read again for every row.
WITH moved AS (
    UPDATE tasks_timer AS timer
    SET content_type_id = %(operation_type)s,
        id = timer.id, user_id = timer.user_id, stopped_by_id = timer.stopped_by_id,
        machine_fk_id = timer.machine_fk_id
    WHERE timer.id = ANY(ARRAY(
              SELECT task_timer.id
              FROM migration_batch AS b
              CROSS JOIN LATERAL (SELECT id FROM tasks_timer AS t
                                  WHERE t.content_type_id = %(task_type)s AND t.object_id = b.key
                                  OFFSET 0) AS task_timer
              WHERE b.outcome = 'pending'))
      AND timer.content_type_id = %(task_type)s
      AND EXISTS (SELECT FROM migration_batch AS b
                  WHERE b.key = timer.object_id AND b.outcome = 'pending' OFFSET 0)
    RETURNING timer.id, timer.object_id COLLATE "default" AS key
)
INSERT INTO partcost_migrated_task (task_key, timer_ids)
SELECT key, coalesce(array_agg(id ORDER BY id) FILTER (WHERE id IS NOT NULL), '{}')
FROM (SELECT key, id FROM moved
      UNION ALL
      SELECT key, NULL FROM migration_batch WHERE outcome = 'pending') AS task_timers
GROUP BY key
ON CONFLICT (task_key) DO UPDATE SET timer_ids = excluded.timer_ids;

UPDATE migration_batch SET outcome = 'migrated' WHERE outcome = 'pending';
