"""``partcost status``: the runbook's support commands (counts, database size) in one query."""

from partcost.db import schema
from partcost.db.sql_files import sql_file


def status(conn) -> dict:
    schema.require(conn, schema.RECOMPUTE_TABLES)
    with conn.cursor() as cur:
        cur.execute(sql_file("migration/status_counts"))
        counts = dict(zip([c.name for c in cur.description], cur.fetchone()))
    conn.rollback()
    return counts
