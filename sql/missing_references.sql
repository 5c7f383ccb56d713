-- Set-based, one foreign key at a time, what the key's row triggers would do at COMMIT for the rows
-- this transaction wrote: lock every referenced row FOR KEY SHARE (so it cannot be deleted before the
-- commit), and return the references that point at no row. Composed by engine/references.py: the rows
-- come from the table itself (a scan), or from a FROM item yielding a superset of those written, with
-- their xmin (engine.references.rows_by_tid). No placeholder may appear in these comments: the values
-- composed in can hold line breaks.
WITH needed AS MATERIALIZED (
    SELECT DISTINCT {columns} FROM {rows}
    WHERE xmin = pg_current_xact_id()::xid AND {not_null}
), found AS MATERIALIZED (
    SELECT {ref_columns} FROM ONLY {ref_table}
    WHERE ({ref_columns}) IN (SELECT * FROM needed)
    FOR KEY SHARE
)
SELECT * FROM needed
EXCEPT
SELECT * FROM found
LIMIT 5;
