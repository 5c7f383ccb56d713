-- The ids of the named users, in username order.
SELECT id FROM auth_user WHERE username = ANY(%(usernames)s) ORDER BY username;
