-- partcost's own session limits (partcost.db.connections.SESSION_LIMITS), set on every connection
-- whatever the role, the database or the connection string asked for; only the settings this
-- server has (current_setting(…, true) is NULL for a setting it does not know).
SELECT set_config(wanted.name, wanted.setting, false)
FROM unnest(%(names)s::text[], %(settings)s::text[]) AS wanted (name, setting)
WHERE current_setting(wanted.name, true) IS NOT NULL;
