-- Every wage version, numeric values as exact text.
SELECT user_id, effective_from, base_monthly::text, after_hours_multiplier::text, sunday_multiplier::text
FROM users_wagerate
