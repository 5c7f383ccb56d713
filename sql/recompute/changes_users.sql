-- The exact set of user ids that exist, as a digest (as in prices_seen.sql): the recompute only
-- asks whether a timer's user exists, so auth_user rows rewritten for other reasons (last_login) are
-- not a change to it.
SELECT count(*) || ':' || md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM auth_user
