-- Changed per-user rows, COPied here and then applied by update_user_cost_rows.sql, which looks each
-- one up by its id: hence the primary key.
CREATE TEMPORARY TABLE IF NOT EXISTS partcost_changed_user_costs (
    id bigint PRIMARY KEY, part_id text, user_id integer, job_no_cached text, currency text,
    hours_ww numeric, hours_ah numeric, hours_su numeric,
    cost_ww numeric, cost_ah numeric, cost_su numeric, total_cost numeric
) ON COMMIT DELETE ROWS;
TRUNCATE partcost_changed_user_costs;
