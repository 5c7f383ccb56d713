-- A dry run's stand-in for move_task_timers.sql: the same UPDATE, of only the timers something could
-- refuse to move (a condition composed by partcost.migration.migrate_tasks: TRUE when anything could refuse
-- any timer, else the predicates of timer_move_refusers.sql on its own columns, FALSE when nothing can).
-- Every other timer would move exactly as these do, and the content type it moves to exists (it was looked up), so
-- the rehearsal proves what moving them all would, without rewriting every timer to roll it back.
-- No join the planner could get wrong, as in move_task_timers.sql: each task's timers are found through
-- the (content type, object) index (LATERAL, OFFSET 0) and updated through the primary key. Joined, the
-- planner read every timer still on a task (by a scan, or through the index by the content type alone),
-- once per batch: a dry run growing with the square of the tasks.
UPDATE tasks_timer AS timer
SET content_type_id = %(operation_type)s,
    id = timer.id, user_id = timer.user_id, stopped_by_id = timer.stopped_by_id,
    machine_fk_id = timer.machine_fk_id
WHERE timer.id = ANY(ARRAY(
          SELECT refusable_timer.id
          FROM migration_batch AS b
          CROSS JOIN LATERAL (SELECT timer.id FROM tasks_timer AS timer
                              WHERE timer.content_type_id = %(task_type)s AND timer.object_id = b.key
                                AND {refusable}
                              OFFSET 0) AS refusable_timer
          WHERE b.outcome = 'pending'))
  AND timer.content_type_id = %(task_type)s
  AND EXISTS (SELECT FROM migration_batch AS b
              WHERE b.key = timer.object_id AND b.outcome = 'pending' OFFSET 0)
  AND {refusable};

UPDATE migration_batch SET outcome = 'migrated' WHERE outcome = 'pending';
