SELECT id, partitions, options, status FROM partcost_recompute_run ORDER BY id DESC LIMIT 1
