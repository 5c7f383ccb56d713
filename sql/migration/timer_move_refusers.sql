-- What could refuse migrate-tasks' timer UPDATE (move_task_timers.sql: a new content_type_id, the other
-- assigned columns keeping their values) besides its foreign keys, which the batch checks itself —
-- read from the catalogue, so a production database's own constraints count too. The first column says
-- whether anything could refuse *any* timer: a CHECK or exclusion constraint, a trigger of the table's
-- own (not a foreign key's), a rule, row-level security, a generated column, a partitioned or inherited
-- table, a content_type_id of a domain type, or a unique index over content_type_id without a
-- predicate or with expressions. Otherwise only a partial unique index over content_type_id can, and
-- only for the timers its predicate covers: the second column lists those predicates.
WITH timer AS (SELECT 'tasks_timer'::regclass AS oid),
     content_type AS (SELECT a.attnum, a.atttypid FROM pg_attribute AS a, timer
                      WHERE a.attrelid = timer.oid AND a.attname = 'content_type_id'),
     unique_over_it AS (SELECT i.* FROM pg_index AS i, timer, content_type
                        WHERE i.indrelid = timer.oid AND i.indisunique
                          AND (content_type.attnum = ANY(i.indkey) OR i.indexprs IS NOT NULL))
SELECT EXISTS (SELECT 1 FROM pg_constraint, timer WHERE conrelid = timer.oid AND contype IN ('c', 'x'))
    OR EXISTS (SELECT 1 FROM pg_trigger AS t LEFT JOIN pg_constraint AS c ON c.oid = t.tgconstraint, timer
               WHERE t.tgrelid = timer.oid AND (NOT t.tgisinternal OR c.contype IS DISTINCT FROM 'f'))
    OR EXISTS (SELECT 1 FROM pg_rewrite, timer WHERE ev_class = timer.oid AND rulename <> '_RETURN')
    OR EXISTS (SELECT 1 FROM pg_class AS c, timer WHERE c.oid = timer.oid
               AND (c.relrowsecurity OR c.relkind = 'p' OR c.relhassubclass))
    OR EXISTS (SELECT 1 FROM pg_inherits, timer WHERE inhrelid = timer.oid)
    OR EXISTS (SELECT 1 FROM pg_attribute AS a, timer WHERE a.attrelid = timer.oid AND a.attgenerated <> '')
    OR EXISTS (SELECT 1 FROM pg_type AS ty, content_type WHERE ty.oid = content_type.atttypid AND ty.typtype = 'd')
    OR EXISTS (SELECT 1 FROM unique_over_it WHERE indpred IS NULL OR indexprs IS NOT NULL),
       coalesce((SELECT array_agg(pg_get_expr(indpred, indrelid)) FROM unique_over_it), '{}')
