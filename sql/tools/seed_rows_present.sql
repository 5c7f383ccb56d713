-- What would clash with a seed: the tasks, parts and timers a database already holds.
SELECT (SELECT count(*) FROM machining_task) AS tasks,
       (SELECT count(*) FROM tasks_part) AS parts,
       (SELECT count(*) FROM tasks_timer) AS timers;
