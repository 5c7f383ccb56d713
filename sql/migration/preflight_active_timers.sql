-- Timers still running (the runbook's "wait until this returns 0"), oldest first, with who and what.
SELECT timer.id, coalesce(u.username, '#' || timer.user_id) AS username, timer.object_id,
       count(*) OVER () AS running
FROM tasks_timer AS timer
LEFT JOIN auth_user AS u ON u.id = timer.user_id
WHERE timer.finish_time IS NULL
ORDER BY timer.start_time, timer.id
LIMIT %(shown)s;
