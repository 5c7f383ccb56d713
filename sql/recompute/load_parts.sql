-- The job number of every part in the scope (job_no_cached comes from it); xmin as in load_timers.sql.
SELECT key AS part_id, job_no, xmin::text::bigint AS part_xmin
FROM tasks_part
WHERE mod({part_hash(key)}, %(partitions)s) = %(partition)s
  AND (%(part_keys)s::text[] IS NULL OR key = ANY(%(part_keys)s::text[]))
