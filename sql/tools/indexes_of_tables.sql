-- The indexes of the given tables that back no constraint (primary keys and UNIQUE constraints
-- stay put), with the statements that create them again exactly as they were.
SELECT i.indexrelid::regclass::text AS index_name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
WHERE i.indrelid = ANY(SELECT to_regclass(name) FROM unnest(%(tables)s::text[]) AS name)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1;
