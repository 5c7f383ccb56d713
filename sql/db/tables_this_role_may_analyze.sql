-- For each of the given tables (that exist), whether this role may ANALYZE it: on PostgreSQL 17 and
-- later, whether it holds MAINTAIN on it (its owner and superusers do; others by GRANT MAINTAIN or
-- pg_maintain); before 17, whether it is a superuser or a member of the table's or the database's
-- owner. Any other role's ANALYZE skips the table with nothing but a warning.
SELECT name,
       CASE WHEN current_setting('server_version_num')::int >= 170000
            THEN has_table_privilege(c.oid, 'MAINTAIN')
            ELSE (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 OR pg_has_role(c.relowner, 'USAGE')
                 OR pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')
       END
FROM unnest(%(tables)s::text[]) AS name
JOIN pg_class AS c ON c.oid = to_regclass(name)
