-- A night's worth of old data for the migration benchmark: %(tasks)s machining tasks with
-- %(timers_per_task)s finished timers each, a JobCostAgg row for 9 tasks in 10 and three
-- JobCostAggUser rows for each of those, plus 100 native parts with one operation each.
-- Content type ids are looked up, never assumed.
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                       is_active, date_joined)
SELECT '!', false, 'bench' || n, '', '', '', false, true, now() FROM generate_series(1, 50) AS n;

INSERT INTO machining_task (key, name, description, quantity, created_by_id, created_at,
                            completed_by_id, completion_date, is_hold_task, estimated_hours,
                            machine_fk_id, finish_time, in_plan, planned_start_ms, planned_end_ms,
                            plan_order, plan_locked, job_no, image_no, position_no)
SELECT 'M-' || lpad(n::text, 7, '0'), 'Part ' || n, CASE WHEN n %% 5 <> 0 THEN 'drawing ' || n END,
       1 + n %% 20, (SELECT min(id) FROM auth_user), 1700000000000 + n,
       CASE WHEN n %% 3 = 0 THEN (SELECT min(id) FROM auth_user) END,
       CASE WHEN n %% 3 = 0 THEN 1710000000000 + n END,
       n %% 50 = 0, 2.5, n %% 40, NULL, n %% 10 = 0, NULL, NULL,
       CASE WHEN n %% 10 = 0 THEN n END, false, 'J-' || n / 100, 'IMG-' || n, 'P-' || n %% 7
FROM generate_series(1, %(tasks)s) AS n;

INSERT INTO tasks_timer (user_id, start_time, finish_time, manual_entry, content_type_id, object_id,
                         timer_type, machine_fk_id)
SELECT u.first_id + (n * 7 + k) %% 50, 1700000000000 + n * 1000 + k * 3600000,
       1700000000000 + n * 1000 + k * 3600000 + 1800000, false,
       (SELECT id FROM django_content_type WHERE app_label = 'machining' AND model = 'task'),
       'M-' || lpad(n::text, 7, '0'), 'productive', n %% 40
FROM generate_series(1, %(tasks)s) AS n
CROSS JOIN generate_series(1, %(timers_per_task)s) AS k
CROSS JOIN (SELECT min(id) AS first_id FROM auth_user) AS u;

INSERT INTO machining_jobcostagg (task_id, job_no_cached, currency, hours_ww, hours_ah, hours_su,
                                  cost_ww, cost_ah, cost_su, total_cost, updated_at)
SELECT 'M-' || lpad(n::text, 7, '0'), 'J-' || n / 100, 'EUR', 8.5, 1.25, 0, 1000.10, 250.40, 0,
       1250.50, now()
FROM generate_series(1, %(tasks)s) AS n WHERE n %% 10 <> 0;

INSERT INTO machining_jobcostagguser (task_id, user_id, job_no_cached, currency, hours_ww, hours_ah,
                                      hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)
SELECT 'M-' || lpad(n::text, 7, '0'), u.first_id + k, 'J-' || n / 100, 'EUR', 2.5, 0.5, 0, 300, 90,
       0, 390, now()
FROM generate_series(1, %(tasks)s) AS n
CROSS JOIN generate_series(0, 2) AS k
CROSS JOIN (SELECT min(id) AS first_id FROM auth_user) AS u
WHERE n %% 10 <> 0;

INSERT INTO tasks_part (key, name, job_no) SELECT 'PT-' || lpad(n::text, 3, '0'), 'Native ' || n, 'J-N'
FROM generate_series(1, 100) AS n;
INSERT INTO tasks_operation (key, part_id, name, is_hold_task, in_plan, plan_locked, "order",
                             interchangeable)
SELECT 'PT-' || lpad(n::text, 3, '0') || '-OP-1', 'PT-' || lpad(n::text, 3, '0'), 'Op', false, false,
       false, 1, false
FROM generate_series(1, 100) AS n;

ANALYZE;
