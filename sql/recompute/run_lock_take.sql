-- One full recompute per database: a session advisory lock, released when the session ends.
SELECT pg_try_advisory_lock(%(key1)s, %(key2)s)
