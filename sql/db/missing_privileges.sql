-- Which of the (table, privilege, comma-separated columns or '' for the whole table) grants partcost
-- needs this role lacks, as (position asked, table, privilege, columns), in the order asked. Tables
-- and columns that do not exist are left to the schema check, which names them.
SELECT n, table_name, privilege, columns
FROM (SELECT needed.n, needed.table_name, needed.privilege,
             string_to_array(nullif(needed.columns, ''), ',') AS columns
      FROM unnest(%(tables)s::text[], %(privileges)s::text[], %(columns)s::text[])
           WITH ORDINALITY AS needed (table_name, privilege, columns, n)
      WHERE to_regclass(needed.table_name) IS NOT NULL) AS needed
WHERE CASE WHEN columns IS NULL THEN NOT has_table_privilege(table_name, privilege)
           ELSE NOT (SELECT bool_and(has_column_privilege(attrelid, attnum, privilege))
                     FROM pg_attribute
                     WHERE attrelid = to_regclass(table_name) AND attname = ANY(columns) AND NOT attisdropped)
      END
UNION ALL
SELECT NULL, 'database ' || current_database(), 'TEMPORARY', NULL
WHERE %(temporary)s AND NOT has_database_privilege(current_database(), 'TEMPORARY')
ORDER BY 1 NULLS LAST
