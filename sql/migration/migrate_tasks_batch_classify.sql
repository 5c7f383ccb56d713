-- Decide, for the whole batch at once, which tasks are skipped (already migrated) and which cannot
-- migrate and why — before anything is inserted, so one bad task never rolls back the batch.
-- Foreign keys are checked only at COMMIT, so missing users are looked for here explicitly.
UPDATE migration_batch AS b SET outcome = 'skipped'
FROM tasks_part AS p
WHERE p.task_key = b.key;

WITH pending AS (
    SELECT t.key, t.machine_fk_id, t.plan_order, t.created_by_id, t.completed_by_id,
           t.in_plan AND t.completion_date IS NULL AS keeps_plan_slot
    FROM migration_batch AS b
    JOIN machining_task AS t ON t.key = b.key
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
    LEFT JOIN tasks_operation AS same_key ON same_key.key = s.key
    LEFT JOIN tasks_part AS same_part ON same_part.key = 'PT-' || s.key
    LEFT JOIN auth_user AS creator ON creator.id = s.created_by_id
    LEFT JOIN auth_user AS completer ON completer.id = s.completed_by_id
    LEFT JOIN tasks_operation AS slot_holder
        ON s.keeps_plan_slot AND slot_holder.in_plan
       AND slot_holder.machine_fk_id = s.machine_fk_id AND slot_holder.plan_order = s.plan_order
)
UPDATE migration_batch AS b SET outcome = 'failed', reason = reasons.reason
FROM reasons
WHERE reasons.key = b.key AND reasons.reason IS NOT NULL;
