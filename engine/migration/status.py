"""``partcost status``: the runbook's support commands (counts, database size) in one query."""

from partcost.db import schema
from partcost.db.connections import one_row
from partcost.db.sql_files import sql_file


def status(conn) -> dict:
    schema.require(conn, schema.RECOMPUTE_TABLES)
    with conn.cursor() as cur:
        counts = one_row(cur, sql_file("migration/status_counts"))
    conn.rollback()
    return counts
