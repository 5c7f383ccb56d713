SELECT partition FROM partcost_recompute_partition WHERE run_id = %(run_id)s
