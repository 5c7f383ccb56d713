-- The NOT NULL columns of a table that an INSERT must give a value (no default, identity or
-- generation), with their type, its category (pg_type.typcategory) and, for a foreign-key column,
-- the table and column it refers to.
SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type_name, t.typcategory,
       fk.confrelid::regclass::text AS ref_table, ra.attname AS ref_column
FROM pg_attribute AS a
JOIN pg_type AS t ON t.oid = a.atttypid
LEFT JOIN pg_constraint AS fk
    ON fk.contype = 'f' AND fk.conrelid = a.attrelid AND fk.conkey = ARRAY[a.attnum]
LEFT JOIN pg_attribute AS ra ON ra.attrelid = fk.confrelid AND ra.attnum = fk.confkey[1]
WHERE a.attrelid = %(table)s::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
  AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = ''
ORDER BY a.attnum;
