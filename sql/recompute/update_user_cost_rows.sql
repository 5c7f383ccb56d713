UPDATE tasks_partcostaguser AS stored
SET job_no_cached = changed.job_no_cached, currency = changed.currency,
    hours_ww = changed.hours_ww, hours_ah = changed.hours_ah, hours_su = changed.hours_su,
    cost_ww = changed.cost_ww, cost_ah = changed.cost_ah, cost_su = changed.cost_su,
    total_cost = changed.total_cost, updated_at = %(now)s
FROM partcost_changed_user_costs AS changed
WHERE stored.id = changed.id
