-- What a price snapshot saw (partcost.recompute.snapshot), in its own REPEATABLE READ transaction: the snapshot's
-- oldest running transaction (64-bit id), the row counts of wages and FX, and the user ids' digest
-- (as in changes_users.sql) — what a later statement compares with (changes_prices.sql).
SELECT txid_snapshot_xmin(txid_current_snapshot()),
       (SELECT count(*) FROM users_wagerate),
       (SELECT count(*) FROM core_currencyratesnapshot),
       (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM auth_user)
