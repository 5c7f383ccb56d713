DELETE FROM tasks_partcostaguser WHERE id = ANY(%(ids)s::bigint[])
