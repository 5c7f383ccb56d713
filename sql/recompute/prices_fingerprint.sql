-- The whole-database inputs of every partition: wages and FX snapshots as row counts and sums of xmin
-- (the transaction that last wrote each row), and the exact set of user ids that exist (a digest of
-- them all: a count and a sum could hide one user deleted and another added).
SELECT concat_ws(' ',
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM users_wagerate),
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM core_currencyratesnapshot),
    (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM auth_user))
