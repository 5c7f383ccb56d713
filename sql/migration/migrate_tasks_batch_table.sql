-- The session's working table for migrate-tasks: one row per task of the current batch, with what
-- happens to it. outcome: pending → migrated, or skipped (already a part) or failed (reason says why).
CREATE TEMP TABLE IF NOT EXISTS migration_batch (
    key varchar(255) PRIMARY KEY,
    outcome text NOT NULL,
    reason text
);
