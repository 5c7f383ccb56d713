-- The wage of users without any wage row: PostgreSQL's avg() over the TRY rows (NULLs when none).
SELECT avg(base_monthly)::text, avg(after_hours_multiplier)::text, avg(sunday_multiplier)::text
FROM users_wagerate
WHERE currency = 'TRY'
