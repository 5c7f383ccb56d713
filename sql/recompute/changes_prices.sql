-- Whether wages, FX and the user ids are still exactly those of a price snapshot whose oldest running
-- transaction was %(since)s (partcost.recompute.changes explains the test), in one statement and so one
-- snapshot: the window's length and age() bound, then per table the rows and those written in the window.
WITH w AS (SELECT txid_snapshot_xmax(txid_current_snapshot()) - %(since)s AS length,
                  age((%(since)s::bigint %% 4294967296)::text::xid) AS bound)
SELECT w.length, w.bound, wages.rows, wages.new, fx.rows, fx.new, users.digest
FROM w,
     LATERAL (SELECT count(*) AS rows, count(*) FILTER (WHERE age(xmin) <= w.bound) AS new
              FROM users_wagerate) AS wages,
     LATERAL (SELECT count(*) AS rows, count(*) FILTER (WHERE age(xmin) <= w.bound) AS new
              FROM core_currencyratesnapshot) AS fx,
     LATERAL (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) AS digest
              FROM auth_user) AS users
