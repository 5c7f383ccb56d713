-- Whether the ledger exists in its current shape (the fingerprint column came later).
SELECT to_regclass('partcost_recompute_run') IS NOT NULL
   AND EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'partcost_recompute_partition'
                 AND column_name = 'fingerprint')
