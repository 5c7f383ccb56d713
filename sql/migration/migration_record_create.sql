-- partcost's own record of the night migration (not a Django table): for each task migrate-tasks
-- migrated, the ids of exactly the timers it moved to the new operation, written in the same
-- transaction as the move. Rollback moves back these timers and no others.
-- {kind} is empty, or TEMP for a dry run's stand-in, which shadows the table for the session.
CREATE {kind} TABLE IF NOT EXISTS partcost_migrated_task (
    task_key varchar(255) PRIMARY KEY,
    timer_ids bigint[] NOT NULL
);
