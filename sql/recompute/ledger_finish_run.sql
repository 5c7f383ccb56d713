UPDATE partcost_recompute_run SET status = %(status)s, finished_at = now() WHERE id = %(run_id)s
