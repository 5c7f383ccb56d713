-- Check 7: every migrated task against its part and operation, column by column, per the mapping.
WITH differing AS (
    SELECT t.key
    FROM machining_task AS t
    JOIN tasks_part AS p ON p.task_key = t.key
    LEFT JOIN tasks_operation AS o ON o.key = t.key
    WHERE o.key IS NULL
       OR p.key <> 'PT-' || t.key OR o.part_id <> p.key OR o."order" <> 1 OR o.interchangeable
       OR (p.name, p.description, p.job_no, p.image_no, p.position_no, p.quantity, p.finish_time,
           p.created_by_id, p.created_at, p.completed_by_id, p.completion_date)
          IS DISTINCT FROM
          (t.name, coalesce(t.description, ''), t.job_no, t.image_no, t.position_no, t.quantity,
           t.finish_time, t.created_by_id, t.created_at, t.completed_by_id, t.completion_date)
       OR (o.name, o.description, o.quantity, o.created_by_id, o.created_at, o.completed_by_id,
           o.completion_date, o.is_hold_task, o.estimated_hours, o.machine_fk_id, o.finish_time,
           o.in_plan, o.planned_start_ms, o.planned_end_ms, o.plan_order, o.plan_locked)
          IS DISTINCT FROM
          (t.name, coalesce(t.description, ''), t.quantity, t.created_by_id, t.created_at,
           t.completed_by_id, t.completion_date, t.is_hold_task, t.estimated_hours, t.machine_fk_id,
           t.finish_time, t.in_plan AND t.completion_date IS NULL, t.planned_start_ms,
           t.planned_end_ms, CASE WHEN t.completion_date IS NULL THEN t.plan_order END, t.plan_locked)
)
SELECT count(*) AS differing_tasks, min(key) AS first_differing FROM differing;
