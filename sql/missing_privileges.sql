-- Which of the (table, privilege) pairs partcost needs this role lacks, in the order asked.
-- Tables that do not exist are left to the schema check, which names them.
SELECT needed.privilege, needed.table_name
FROM unnest(%(tables)s::text[], %(privileges)s::text[]) WITH ORDINALITY AS needed (table_name, privilege, n)
WHERE to_regclass(needed.table_name) IS NOT NULL
  AND NOT has_table_privilege(needed.table_name, needed.privilege)
UNION ALL
SELECT 'TEMPORARY', 'database ' || current_database()
WHERE %(temporary)s AND NOT has_database_privilege(current_database(), 'TEMPORARY')
