-- The whole-database inputs of every partition: wages, FX snapshots and the users that exist.
SELECT concat_ws(' ',
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM users_wagerate),
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM core_currencyratesnapshot),
    (SELECT count(*) || ':' || coalesce(sum(id::bigint), 0) FROM auth_user))
