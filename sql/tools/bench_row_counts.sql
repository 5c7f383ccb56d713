-- The sizes the night's phases scale with (read only): a capacity projection for this database.
SELECT (SELECT count(*) FROM machining_task) AS tasks,
       (SELECT count(*) FROM tasks_timer) AS timers,
       (SELECT count(*) FROM machining_jobcostagg) + (SELECT count(*) FROM machining_jobcostagguser)
           AS job_cost_rows;
