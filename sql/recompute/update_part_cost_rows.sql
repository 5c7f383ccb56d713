-- Apply the changed per-part rows COPied into partcost_changed_part_costs; part_ids: their keys.
-- Written so that no statistics can make it slow: there is no join for the planner to choose. The
-- rows to change are found through tasks_partcostagg's primary key (= ANY), and each one's new values
-- are looked up by key in the staging table's own primary key (a seq scan of it only where it is a few
-- pages). The join this used to be (UPDATE … FROM partcost_changed_part_costs), planned with statistics
-- that say the cost table holds one row (as autovacuum leaves them when it ANALYZEs during
-- migrate-costs' INSERT), became a nested loop that read the whole staging table again for every
-- stored row: minutes at 300,000 tasks.
UPDATE tasks_partcostagg AS stored
SET (job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww, cost_ah, cost_su, total_cost) =
        (SELECT changed.job_no_cached, changed.currency, changed.hours_ww, changed.hours_ah,
                changed.hours_su, changed.cost_ww, changed.cost_ah, changed.cost_su, changed.total_cost
         FROM partcost_changed_part_costs AS changed
         WHERE changed.part_id = stored.part_id),
    updated_at = %(now)s
WHERE stored.part_id = ANY(%(part_ids)s::text[])
