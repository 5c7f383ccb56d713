-- Set-based, one foreign key at a time, what the key's row triggers would do at COMMIT for the rows
-- this transaction wrote: lock every referenced row FOR KEY SHARE (so it cannot be deleted before the
-- commit), and return the references that point at no row. Composed by engine/references.py; {written}
-- narrows the rows looked at to a superset of those written that an index finds (else TRUE: a scan).
WITH needed AS MATERIALIZED (
    SELECT DISTINCT {columns} FROM {table}
    WHERE xmin = pg_current_xact_id()::xid AND {written} AND {not_null}
), found AS MATERIALIZED (
    SELECT {ref_columns} FROM ONLY {ref_table}
    WHERE ({ref_columns}) IN (SELECT * FROM needed)
    FOR KEY SHARE
)
SELECT * FROM needed
EXCEPT
SELECT * FROM found
LIMIT 5;
