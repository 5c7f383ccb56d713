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
SELECT old_totals.rows AS job_costs,
       new_totals.rows AS part_costs,
       old_totals.missing AS job_costs_missing,
       old_users.rows AS job_user_costs,
       new_users.rows AS part_user_costs,
       old_users.missing AS job_user_costs_missing,
       old_totals.sums::text IS DISTINCT FROM new_totals.sums::text AS part_totals_differ,
       old_users.sums::text IS DISTINCT FROM new_users.sums::text AS user_totals_differ
FROM old_totals, new_totals, old_users, new_users;
