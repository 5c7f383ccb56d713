-- The window of transactions a change scan looks for, in the scan's own REPEATABLE READ snapshot
-- (see partcost.recompute.changes): this snapshot's xmin and xmax as 64-bit transaction ids (epoch included),
-- and, for the reference snapshot whose oldest running transaction was %(since)s (a 64-bit id, or
-- NULL), age() of that transaction — the distance age(xmin) of every row is measured against.
SELECT txid_snapshot_xmin(txid_current_snapshot()),
       txid_snapshot_xmax(txid_current_snapshot()),
       age((%(since)s::bigint %% 4294967296)::text::xid)
