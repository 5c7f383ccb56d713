-- Checks 5-6 and the totals check: old cost rows against the migrated parts' cost rows
-- (old rows of %(excluded)s tasks, known not to migrate, left out). Each side is read once and
-- joined on keys only; no side is kept whole, so the hashes hold keys, not rows.
WITH old_totals AS (
    SELECT count(*) AS rows,
           count(*) FILTER (WHERE new.part_id IS NULL) AS missing,
           row(sum(c.hours_ww) FILTER (WHERE p.key IS NOT NULL),
               sum(c.hours_ah) FILTER (WHERE p.key IS NOT NULL),
               sum(c.hours_su) FILTER (WHERE p.key IS NOT NULL),
               sum(c.cost_ww) FILTER (WHERE p.key IS NOT NULL),
               sum(c.cost_ah) FILTER (WHERE p.key IS NOT NULL),
               sum(c.cost_su) FILTER (WHERE p.key IS NOT NULL),
               sum(c.total_cost) FILTER (WHERE p.key IS NOT NULL)) AS sums
    FROM machining_jobcostagg AS c
    LEFT JOIN tasks_part AS p ON p.task_key = c.task_id
    LEFT JOIN tasks_partcostagg AS new ON new.part_id = p.key
    WHERE c.task_id <> ALL(%(excluded)s::text[])
), new_totals AS (
    SELECT count(*) AS rows,
           row(sum(c.hours_ww), sum(c.hours_ah), sum(c.hours_su), sum(c.cost_ww), sum(c.cost_ah),
               sum(c.cost_su), sum(c.total_cost)) AS sums
    FROM tasks_partcostagg AS c
    JOIN tasks_part AS p ON p.key = c.part_id AND p.task_key IS NOT NULL
), old_users AS (
    SELECT count(*) AS rows,
           count(*) FILTER (WHERE new.part_id IS NULL) AS missing,
           row(sum(c.hours_ww) FILTER (WHERE p.key IS NOT NULL),
               sum(c.hours_ah) FILTER (WHERE p.key IS NOT NULL),
               sum(c.hours_su) FILTER (WHERE p.key IS NOT NULL),
               sum(c.cost_ww) FILTER (WHERE p.key IS NOT NULL),
               sum(c.cost_ah) FILTER (WHERE p.key IS NOT NULL),
               sum(c.cost_su) FILTER (WHERE p.key IS NOT NULL),
               sum(c.total_cost) FILTER (WHERE p.key IS NOT NULL)) AS sums
    FROM machining_jobcostagguser AS c
    LEFT JOIN tasks_part AS p ON p.task_key = c.task_id
    LEFT JOIN tasks_partcostaguser AS new ON new.part_id = p.key AND new.user_id = c.user_id
    WHERE c.task_id <> ALL(%(excluded)s::text[])
), new_users AS (
    SELECT count(*) AS rows,
           row(sum(c.hours_ww), sum(c.hours_ah), sum(c.hours_su), sum(c.cost_ww), sum(c.cost_ah),
               sum(c.cost_su), sum(c.total_cost)) AS sums
    FROM tasks_partcostaguser AS c
    JOIN tasks_part AS p ON p.key = c.part_id AND p.task_key IS NOT NULL
)
-- Read as scalar subqueries, not joined: under enable_nestloop = off (partcost.db.plans) a join of the
-- four one-row aggregates is costed as disabled before PostgreSQL 18, and that cost sets off JIT.
SELECT (SELECT rows FROM old_totals) AS job_costs,
       (SELECT rows FROM new_totals) AS part_costs,
       (SELECT missing FROM old_totals) AS job_costs_missing,
       (SELECT rows FROM old_users) AS job_user_costs,
       (SELECT rows FROM new_users) AS part_user_costs,
       (SELECT missing FROM old_users) AS job_user_costs_missing,
       (SELECT sums::text FROM old_totals) IS DISTINCT FROM (SELECT sums::text FROM new_totals) AS part_totals_differ,
       (SELECT sums::text FROM old_users) IS DISTINCT FROM (SELECT sums::text FROM new_users) AS user_totals_differ;
