-- Decide, for the whole batch at once, which tasks are skipped (already migrated) and which cannot
-- migrate and why — before anything is inserted, so one bad task never rolls back the batch.
-- Foreign keys are checked only at COMMIT, so missing users are looked for here explicitly.
-- Every lookup in the big tables is a subquery keyed on one row of the batch (OFFSET 0 keeps the
-- planner from turning it into a join), so it goes through that table's index whatever its
-- statistics say: joined, a table whose statistics say one row (ANALYZEd while its rows were being
-- written, or never) can be read whole again for every task of the batch.
UPDATE migration_batch AS b SET outcome = 'skipped'
WHERE EXISTS (SELECT FROM tasks_part AS p WHERE p.task_key = b.key OFFSET 0);

WITH pending AS (
    SELECT t.key, t.machine_fk_id, t.plan_order, t.created_by_id, t.completed_by_id,
           t.in_plan AND t.completion_date IS NULL AS keeps_plan_slot
    FROM migration_batch AS b
    CROSS JOIN LATERAL (SELECT * FROM machining_task AS t WHERE t.key = b.key OFFSET 0) AS t
    WHERE b.outcome = 'pending'
), slots AS (
    SELECT pending.*,
           first_value(key) OVER same_slot AS first_in_slot
    FROM pending
    WINDOW same_slot AS (PARTITION BY machine_fk_id, plan_order, keeps_plan_slot ORDER BY key)
), reasons AS (
    SELECT s.key, CASE
        WHEN same_key.key IS NOT NULL
            THEN 'Task key already exists as operation'
        WHEN same_part.key IS NOT NULL
            THEN format('Part key %s already exists', same_part.key)
        WHEN length('PT-' || s.key) > 255
            THEN 'Part key PT-<key> would be longer than 255 characters'
        WHEN s.created_by_id IS NOT NULL AND creator.id IS NULL
            THEN format('created_by user %s does not exist', s.created_by_id)
        WHEN s.completed_by_id IS NOT NULL AND completer.id IS NULL
            THEN format('completed_by user %s does not exist', s.completed_by_id)
        WHEN slot_holder.key IS NOT NULL
            THEN format('Plan slot (machine %s, plan_order %s) is already taken by operation %s',
                        s.machine_fk_id, s.plan_order, slot_holder.key)
        WHEN s.keeps_plan_slot AND s.plan_order IS NOT NULL AND s.machine_fk_id IS NOT NULL
             AND s.first_in_slot <> s.key
            THEN format('Plan slot (machine %s, plan_order %s) is also wanted by task %s',
                        s.machine_fk_id, s.plan_order, s.first_in_slot)
    END AS reason
    FROM slots AS s
    LEFT JOIN LATERAL (SELECT key FROM tasks_operation WHERE key = s.key OFFSET 0) AS same_key ON true
    LEFT JOIN LATERAL (SELECT key FROM tasks_part WHERE key = 'PT-' || s.key OFFSET 0) AS same_part ON true
    LEFT JOIN LATERAL (SELECT id FROM auth_user WHERE id = s.created_by_id OFFSET 0) AS creator ON true
    LEFT JOIN LATERAL (SELECT id FROM auth_user WHERE id = s.completed_by_id OFFSET 0) AS completer ON true
    LEFT JOIN LATERAL (SELECT key FROM tasks_operation AS o
                       WHERE s.keeps_plan_slot AND o.in_plan
                         AND o.machine_fk_id = s.machine_fk_id AND o.plan_order = s.plan_order
                       OFFSET 0) AS slot_holder ON true
)
UPDATE migration_batch AS b SET outcome = 'failed', reason = reasons.reason
FROM reasons
WHERE reasons.key = b.key AND reasons.reason IS NOT NULL;
