-- work_mem lowered to %(most)s for the rest of this transaction (set_config(…, true) is SET LOCAL),
-- never raised; first the setting as it was, to put back.
SELECT current_setting('work_mem'),
       CASE WHEN pg_size_bytes(current_setting('work_mem')) > pg_size_bytes(%(most)s)
            THEN set_config('work_mem', %(most)s, true) END
