-- Every table of the current schema with its exact row count. count(*) needs the table name in
-- the query text, so a session-private helper builds it with format('%s', regclass), which quotes.
CREATE FUNCTION pg_temp.row_count(target regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', target) INTO n;
    RETURN n;
END
$$;

SELECT table_name, pg_temp.row_count(format('%I', table_name)::regclass) AS row_count
FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
ORDER BY table_name;
