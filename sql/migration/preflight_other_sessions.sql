-- Other sessions connected to this database (the runbook's pg_stat_activity check), without ours.
SELECT pid, coalesce(nullif(usename, ''), '?') AS usename,
       coalesce(nullif(application_name, ''), '?') AS application_name,
       coalesce(host(client_addr), 'local') AS client
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
ORDER BY backend_start;
