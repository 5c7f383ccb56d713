SELECT to_regclass('partcost_recompute_run') IS NOT NULL AND to_regclass('partcost_recompute_partition') IS NOT NULL
