-- The given part keys that name no part (a typo in --part-key).
SELECT given.key
FROM unnest(%(part_keys)s::text[]) WITH ORDINALITY AS given (key, n)
WHERE NOT EXISTS (SELECT 1 FROM tasks_part WHERE tasks_part.key = given.key)
ORDER BY given.n
