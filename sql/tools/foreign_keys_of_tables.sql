-- The foreign keys of the given tables, with the definitions needed to add them back unchanged
-- (pg_get_constraintdef keeps DEFERRABLE INITIALLY DEFERRED and the ON DELETE rules).
SELECT c.conrelid::regclass::text AS table_name, c.conname AS constraint_name,
       pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c
WHERE c.contype = 'f'
  AND c.conrelid = ANY(SELECT to_regclass(name) FROM unnest(%(tables)s::text[]) AS name)
ORDER BY c.conrelid::regclass::text, c.conname;
