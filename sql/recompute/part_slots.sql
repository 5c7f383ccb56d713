-- The lock slots (see lock_part_slots.sql) of a list of part keys.
SELECT DISTINCT {lock_slot(key)}::int
FROM unnest(%(part_keys)s::text[]) AS key
