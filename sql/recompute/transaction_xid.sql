-- This transaction's xid as a row's xmin shows it (the low 32 bits), or -1 before it has written:
-- read on its own so that verify_written.sql, given it as a parameter, holds no parallel-unsafe call
-- and may scan the cost tables with parallel workers.
SELECT coalesce(pg_current_xact_id_if_assigned()::text::bigint % 4294967296, -1);
