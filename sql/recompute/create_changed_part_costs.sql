-- Changed per-part rows, COPied here and then applied by update_part_cost_rows.sql, which looks each
-- one up by its key: hence the primary key.
CREATE TEMPORARY TABLE IF NOT EXISTS partcost_changed_part_costs (
    part_id text PRIMARY KEY, job_no_cached text, currency text,
    hours_ww numeric, hours_ah numeric, hours_su numeric,
    cost_ww numeric, cost_ah numeric, cost_su numeric, total_cost numeric
) ON COMMIT DELETE ROWS;
TRUNCATE partcost_changed_part_costs;
