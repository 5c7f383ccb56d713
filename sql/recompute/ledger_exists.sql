-- Whether the ledger exists with its fingerprint column: a ledger without it is not ready, and
-- ledger_create.sql (idempotent, ADD COLUMN IF NOT EXISTS) brings it up to that shape.
SELECT to_regclass('partcost_recompute_run') IS NOT NULL
   AND EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'partcost_recompute_partition'
                 AND column_name = 'fingerprint')
