INSERT INTO partcost_recompute_run (started_at, status, partitions, options)
VALUES (now(), 'running', %(partitions)s, %(options)s)
RETURNING id
