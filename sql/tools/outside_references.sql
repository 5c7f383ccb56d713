-- The single-column foreign keys of the given tables' given columns: which table and column each
-- such column must refer to (Django's machines_machine for machine_fk_id, say).
SELECT a.attname AS column_name, c.confrelid::regclass::text AS ref_table, ra.attname AS ref_column
FROM pg_constraint AS c
JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute AS ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
  AND c.conrelid = ANY(SELECT to_regclass(name) FROM unnest(%(tables)s::text[]) AS name)
  AND a.attname = ANY(%(columns)s::text[])
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
