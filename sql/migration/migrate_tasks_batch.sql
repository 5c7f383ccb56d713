-- Every pending task of the batch becomes part PT-K (task_key K) with one operation K, per the
-- mapping rules in costing-rules.md; a completed task's operation never holds a plan slot.
-- Each task is read by its key (a LATERAL subquery, OFFSET 0: never a join the planner could turn
-- into a re-read of machining_task per task when its statistics are wrong).
INSERT INTO tasks_part (key, name, description, task_key, job_no, image_no, position_no, quantity,
                        finish_time, created_by_id, created_at, completed_by_id, completion_date)
SELECT 'PT-' || t.key, t.name, coalesce(t.description, ''), t.key, t.job_no, t.image_no,
       t.position_no, t.quantity, t.finish_time, t.created_by_id, t.created_at,
       t.completed_by_id, t.completion_date
FROM migration_batch AS b
CROSS JOIN LATERAL (SELECT * FROM machining_task AS t WHERE t.key = b.key OFFSET 0) AS t
WHERE b.outcome = 'pending';

INSERT INTO tasks_operation (key, part_id, name, description, quantity, created_by_id, created_at,
                             completed_by_id, completion_date, is_hold_task, estimated_hours,
                             machine_fk_id, finish_time, in_plan, planned_start_ms, planned_end_ms,
                             plan_order, plan_locked, "order", interchangeable)
SELECT t.key, 'PT-' || t.key, t.name, coalesce(t.description, ''), t.quantity, t.created_by_id,
       t.created_at, t.completed_by_id, t.completion_date, t.is_hold_task, t.estimated_hours,
       t.machine_fk_id, t.finish_time,
       t.in_plan AND t.completion_date IS NULL,
       t.planned_start_ms, t.planned_end_ms,
       CASE WHEN t.completion_date IS NULL THEN t.plan_order END,
       t.plan_locked, 1, false
FROM migration_batch AS b
CROSS JOIN LATERAL (SELECT * FROM machining_task AS t WHERE t.key = b.key OFFSET 0) AS t
WHERE b.outcome = 'pending';
