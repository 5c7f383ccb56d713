-- The columns of the given tables in the current schema, exactly those information_schema.columns
-- lists (the ones this role owns or holds a privilege on), read from the catalogue itself: the view
-- costs several milliseconds a call on a new connection, and every stage checks its tables first.
SELECT c.relname AS table_name, a.attname AS column_name
FROM pg_class AS c
JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
  AND c.relname = ANY(%(tables)s)
  AND c.relkind IN ('r', 'v', 'f', 'p')
  AND (pg_has_role(c.relowner, 'USAGE')
       OR has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'));
