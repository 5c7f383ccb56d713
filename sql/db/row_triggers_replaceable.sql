-- Whether switching off the row-by-row triggers (session_replication_role = replica) for a
-- transaction that writes the given tables and deletes from some of them would switch off nothing but
-- the foreign-key checks partcost then does itself: no trigger of the tables' own and no internal one
-- but a foreign key's (a DEFERRABLE unique, primary-key or exclusion constraint rechecks by an internal
-- trigger too), no rule, and no foreign key pointing at a table rows are deleted from (its ON DELETE
-- action would be lost). Tables that do not exist (yet) are left out.
WITH written AS (SELECT to_regclass(name) AS oid FROM unnest(%(tables)s::text[]) AS name),
     deleted AS (SELECT to_regclass(name) AS oid FROM unnest(%(deletes_from)s::text[]) AS name)
SELECT NOT EXISTS (SELECT 1 FROM pg_trigger AS t
                   LEFT JOIN pg_constraint AS c ON c.oid = t.tgconstraint
                   WHERE t.tgrelid IN (SELECT oid FROM written)
                     AND (NOT t.tgisinternal OR c.contype IS DISTINCT FROM 'f'))
   AND NOT EXISTS (SELECT 1 FROM pg_rewrite
                   WHERE ev_class IN (SELECT oid FROM written) AND rulename <> '_RETURN')
   AND NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE contype = 'f' AND confrelid IN (SELECT oid FROM deleted));
