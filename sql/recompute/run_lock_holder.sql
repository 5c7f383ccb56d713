-- Who holds the full-recompute lock, to name them in the refusal.
SELECT a.pid, a.application_name, a.client_addr, a.backend_start
FROM pg_locks AS l
JOIN pg_stat_activity AS a USING (pid)
WHERE l.locktype = 'advisory' AND l.classid = %(key1)s AND l.objid = %(key2)s AND l.granted
