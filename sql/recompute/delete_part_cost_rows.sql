DELETE FROM tasks_partcostagg WHERE part_id = ANY(%(part_ids)s::text[])
