-- The lock slots (see lock_part_slots.sql) of a list of part keys.
SELECT DISTINCT mod(hashtext(key)::bigint + 2147483648, 256)::int
FROM unnest(%(part_keys)s::text[]) AS key
