-- Set-based, one foreign key at a time, what the key's row triggers would do at COMMIT for the rows
-- this transaction wrote: lock every referenced row FOR KEY SHARE (so it cannot be deleted before the
-- commit), and return the references that point at no row. Composed by partcost.db.references: the rows
-- come from the table itself (a scan), or from a FROM item yielding a superset of those written, with
-- their xmin (partcost.db.references.rows_by_tid). No placeholder may appear in these comments: the values
-- composed in can hold line breaks.
-- Each distinct reference is looked up by itself (LATERAL; its FOR KEY SHARE keeps the planner from
-- turning it into a join), through the referenced key's index.
WITH needed AS MATERIALIZED (
    SELECT DISTINCT {columns} FROM {rows}
    WHERE xmin = pg_current_xact_id()::xid AND {not_null}
), found AS MATERIALIZED (
    SELECT needed.* FROM needed
    CROSS JOIN LATERAL (SELECT FROM ONLY {ref_table} AS referenced WHERE {match} FOR KEY SHARE) AS locked
)
SELECT * FROM needed
EXCEPT
SELECT * FROM found
LIMIT 5;
