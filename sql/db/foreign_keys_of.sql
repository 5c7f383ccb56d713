-- The foreign keys of the given tables: (table, its schema, constraint, its columns, referenced
-- table, its schema, referenced columns, whether this role may lock the referenced rows), columns in
-- key order. Locking them FOR KEY SHARE takes SELECT on the referenced columns and UPDATE on any one
-- column of the referenced table. Read from the catalogue, so that a production database's own extra
-- keys are checked too.
SELECT t.relname, tn.nspname, c.conname, array_agg(a.attname ORDER BY k.position),
       ref.relname, refn.nspname, array_agg(r.attname ORDER BY k.position),
       has_any_column_privilege(ref.oid, 'UPDATE')
       AND bool_and(has_column_privilege(ref.oid, r.attnum, 'SELECT'))
FROM pg_constraint AS c
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k (attnum, ref_attnum, position)
JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
JOIN pg_attribute AS r ON r.attrelid = c.confrelid AND r.attnum = k.ref_attnum
JOIN pg_class AS t ON t.oid = c.conrelid
JOIN pg_namespace AS tn ON tn.oid = t.relnamespace
JOIN pg_class AS ref ON ref.oid = c.confrelid
JOIN pg_namespace AS refn ON refn.oid = ref.relnamespace
WHERE c.contype = 'f' AND c.conrelid IN (SELECT to_regclass(name) FROM unnest(%(tables)s::text[]) AS name)
GROUP BY t.relname, tn.nspname, c.conname, ref.oid, ref.relname, refn.nspname
ORDER BY 1, 3;
