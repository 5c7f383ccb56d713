"""``partcost status``: the runbook's support commands (counts, database size) in one query."""

from psycopg2.extras import RealDictCursor

from partcost.db import schema
from partcost.db.sql_files import sql_file


def status(conn) -> dict:
    schema.require(conn, schema.RECOMPUTE_TABLES)
    with conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute(sql_file("migration/status_counts"))
        counts = dict(cur.fetchone())
    conn.rollback()
    return counts
