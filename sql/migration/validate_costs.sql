-- Checks 5-6 and the totals check: old cost rows against the migrated parts' cost rows
-- (old rows of %(excluded)s tasks, known not to migrate, left out).
WITH old_totals AS (
    SELECT c.*, p.key AS part_key FROM machining_jobcostagg AS c
    LEFT JOIN tasks_part AS p ON p.task_key = c.task_id
    WHERE c.task_id <> ALL(%(excluded)s::text[])
), new_totals AS (
    SELECT c.* FROM tasks_partcostagg AS c
    JOIN tasks_part AS p ON p.key = c.part_id AND p.task_key IS NOT NULL
), old_users AS (
    SELECT c.*, p.key AS part_key FROM machining_jobcostagguser AS c
    LEFT JOIN tasks_part AS p ON p.task_key = c.task_id
    WHERE c.task_id <> ALL(%(excluded)s::text[])
), new_users AS (
    SELECT c.* FROM tasks_partcostaguser AS c
    JOIN tasks_part AS p ON p.key = c.part_id AND p.task_key IS NOT NULL
)
SELECT (SELECT count(*) FROM old_totals) AS job_costs,
       (SELECT count(*) FROM new_totals) AS part_costs,
       (SELECT count(*) FROM old_totals AS o
        WHERE NOT EXISTS (SELECT 1 FROM new_totals AS n WHERE n.part_id = o.part_key)) AS job_costs_missing,
       (SELECT count(*) FROM old_users) AS job_user_costs,
       (SELECT count(*) FROM new_users) AS part_user_costs,
       (SELECT count(*) FROM old_users AS o
        WHERE NOT EXISTS (SELECT 1 FROM new_users AS n
                          WHERE n.part_id = o.part_key AND n.user_id = o.user_id)) AS job_user_costs_missing,
       (SELECT row(sum(hours_ww), sum(hours_ah), sum(hours_su), sum(cost_ww), sum(cost_ah),
                   sum(cost_su), sum(total_cost))::text
        FROM old_totals WHERE part_key IS NOT NULL)
       IS DISTINCT FROM
       (SELECT row(sum(hours_ww), sum(hours_ah), sum(hours_su), sum(cost_ww), sum(cost_ah),
                   sum(cost_su), sum(total_cost))::text FROM new_totals) AS part_totals_differ,
       (SELECT row(sum(hours_ww), sum(hours_ah), sum(hours_su), sum(cost_ww), sum(cost_ah),
                   sum(cost_su), sum(total_cost))::text
        FROM old_users WHERE part_key IS NOT NULL)
       IS DISTINCT FROM
       (SELECT row(sum(hours_ww), sum(hours_ah), sum(hours_su), sum(cost_ww), sum(cost_ah),
                   sum(cost_su), sum(total_cost))::text FROM new_users) AS user_totals_differ;
