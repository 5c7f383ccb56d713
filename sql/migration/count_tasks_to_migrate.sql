-- How many machining tasks migrate-tasks will look at (all of them, or the first %(limit)s).
SELECT count(*) FROM (SELECT 1 FROM machining_task ORDER BY key LIMIT %(limit)s) AS considered;
