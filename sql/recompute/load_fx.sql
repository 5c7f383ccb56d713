-- The EUR rate of every snapshot, with its JSON type so a missing key, a null and a non-number
-- can be told apart.
SELECT date, jsonb_typeof(rates -> 'EUR') AS eur_kind, rates ->> 'EUR' AS eur
FROM core_currencyratesnapshot
ORDER BY date
