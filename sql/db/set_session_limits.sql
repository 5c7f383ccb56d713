-- partcost's own session limits (partcost.db.connections.SESSION_LIMITS), set on every connection
-- whatever the role, the database or the connection string asked for; only the settings this
-- server has.
SELECT set_config(wanted.name, wanted.setting, false)
FROM unnest(%(names)s::text[], %(settings)s::text[]) AS wanted (name, setting)
WHERE wanted.name IN (SELECT name FROM pg_settings);
