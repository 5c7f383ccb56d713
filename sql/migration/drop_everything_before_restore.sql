-- Run inside the restore's transaction, before the backup's script: drops everything pg_dump dumps
-- of these kinds — extensions, schemas other than public, and public's relations, routines, types
-- and large objects — so that what was created after the backup (Phase 2's tables, partcost's
-- ledger, anything else) goes, and nothing is left depending on what the script drops and recreates.
-- Objects of extensions go with their extension; public itself stays (initdb makes it; the backup's
-- script does not create it).
SET LOCAL client_min_messages = error;  -- also keeps quiet the script's own BEGIN (already in one)

DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT extname FROM pg_extension WHERE oid >= 16384 LOOP  -- plpgsql comes with initdb
        EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', item.extname);
    END LOOP;

    FOR item IN SELECT nspname FROM pg_namespace
                WHERE nspname NOT LIKE 'pg\_%' AND nspname NOT IN ('information_schema', 'public') LOOP
        EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', item.nspname);
    END LOOP;

    -- Tables before sequences: an identity column's sequence can only go with its table.
    FOR item IN SELECT c.relname,
                       CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                      WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                      ELSE 'TABLE' END AS kind
                FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
                ORDER BY c.relkind = 'S', c.relname LOOP
        EXECUTE format('DROP %s IF EXISTS public.%I CASCADE', item.kind, item.relname);
    END LOOP;

    FOR item IN SELECT p.oid::regprocedure AS routine,
                       CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END AS kind
                FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace LOOP
        IF EXISTS (SELECT 1 FROM pg_proc WHERE oid = item.routine) THEN
            EXECUTE format('DROP %s %s CASCADE', item.kind, item.routine);
        END IF;
    END LOOP;

    -- Row types go with their tables, array and multirange types with their element or range type.
    FOR item IN SELECT t.oid::regtype AS type
                FROM pg_type t
                WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('c', 'd', 'e', 'r')
                  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') LOOP
        IF EXISTS (SELECT 1 FROM pg_type WHERE oid = item.type) THEN
            EXECUTE format('DROP TYPE %s CASCADE', item.type);
        END IF;
    END LOOP;

    PERFORM lo_unlink(oid) FROM pg_largeobject_metadata;
END $$;
