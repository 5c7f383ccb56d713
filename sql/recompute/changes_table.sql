-- One table's rows as a change scan sees them (partcost.recompute.changes): how many there are, and how many were
-- written by a transaction of the window — age(xmin) at most %(window)s — other than the listed ones
-- (a partition's own cost-row writes). The table's name is composed in by partcost.recompute.changes.
SELECT count(*),
       count(*) FILTER (WHERE age(xmin) <= %(window)s AND xmin <> ALL(%(own)s::text[]::xid[]))
FROM {table}
