-- How many old cost rows there are, per table.
SELECT (SELECT count(*) FROM machining_jobcostagg) AS job_costs,
       (SELECT count(*) FROM machining_jobcostagguser) AS job_user_costs;
