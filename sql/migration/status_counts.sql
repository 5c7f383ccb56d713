-- The runbook's support commands in one: counts in the new tables and the database's size.
SELECT (SELECT count(*) FROM tasks_part) AS parts,
       (SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL) AS migrated_parts,
       (SELECT count(*) FROM tasks_operation) AS operations,
       (SELECT count(*) FROM tasks_partcostagg) AS part_costs,
       (SELECT count(*) FROM tasks_partcostaguser) AS part_user_costs,
       (SELECT count(*) FROM tasks_partcostrecalcqueue) AS queued,
       (SELECT count(*) FROM tasks_timer WHERE finish_time IS NULL) AS active_timers,
       pg_size_pretty(pg_database_size(current_database())) AS database_size;
