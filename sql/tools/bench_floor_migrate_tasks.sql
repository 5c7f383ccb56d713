-- The physical floor of migrate-tasks (partcost bench, on a copy of the database): the same parts,
-- operations and timer moves migrate-tasks writes when every task migrates (the column mapping of
-- migration/migrate_tasks_batch.sql), by the three plainest set-based statements, in one transaction — no batches,
-- no checks, no record of the moved timers, Django's foreign-key triggers left as they are.
INSERT INTO tasks_part (key, name, description, task_key, job_no, image_no, position_no, quantity,
                        finish_time, created_by_id, created_at, completed_by_id, completion_date)
SELECT 'PT-' || t.key, t.name, coalesce(t.description, ''), t.key, t.job_no, t.image_no,
       t.position_no, t.quantity, t.finish_time, t.created_by_id, t.created_at,
       t.completed_by_id, t.completion_date
FROM machining_task AS t;

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
FROM machining_task AS t;

UPDATE tasks_timer AS timer
SET content_type_id = %(operation_type)s
FROM machining_task AS t
WHERE timer.content_type_id = %(task_type)s
  AND timer.object_id = t.key;
