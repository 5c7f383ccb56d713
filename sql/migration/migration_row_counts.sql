-- The sizes that decide how long the night migration takes.
SELECT (SELECT count(*) FROM machining_task) AS tasks,
       (SELECT count(*) FROM tasks_timer WHERE content_type_id = %(task_type)s) AS task_timers,
       (SELECT count(*) FROM machining_jobcostagg) AS job_costs,
       (SELECT count(*) FROM machining_jobcostagguser) AS job_user_costs,
       (SELECT count(*) FROM tasks_part) AS parts,
       (SELECT count(*) FROM tasks_operation) AS operations;
