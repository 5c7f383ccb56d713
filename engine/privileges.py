"""The privileges recompute and drain-queue need, checked when they start: a role lacking one is
told which one, instead of failing half-way through the night on "permission denied".

The README's "Least privilege" section holds the matching GRANT statements."""

from engine.db import sql_file
from engine.errors import PartcostError

SOURCE_TABLES = ("django_content_type", "auth_user", "tasks_part", "tasks_operation", "tasks_timer",
                 "users_wagerate", "core_currencyratesnapshot")
COST_TABLES = ("tasks_partcostagg", "tasks_partcostaguser")
QUEUE_TABLE = "tasks_partcostrecalcqueue"

# Reading the sources, writing the cost rows (COPY is INSERT), claiming queue rows (FOR UPDATE needs
# UPDATE) and deleting them; the changed rows are staged in temporary tables.
RECOMPUTE = ([(table, "SELECT") for table in SOURCE_TABLES]
             + [(table, privilege) for table in COST_TABLES for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE")]
             + [(QUEUE_TABLE, privilege) for privilege in ("SELECT", "UPDATE", "DELETE")])
LEDGER = [("partcost_recompute_run", privilege) for privilege in ("SELECT", "INSERT", "UPDATE")] + [
    ("partcost_recompute_partition", privilege) for privilege in ("SELECT", "INSERT")]


def missing(conn, needed, temporary: bool = False) -> list:
    """``"PRIVILEGE on table"`` for each needed privilege this role lacks."""
    with conn.cursor() as cur:
        cur.execute(sql_file("missing_privileges"), {"tables": [table for table, _ in needed],
                                                     "privileges": [privilege for _, privilege in needed],
                                                     "temporary": temporary})
        lacking = [f"{privilege} on {table}" for privilege, table in cur.fetchall()]
    conn.rollback()
    return lacking


def require(conn, needed, temporary: bool = False) -> None:
    lacking = missing(conn, needed, temporary)
    if lacking:
        raise PartcostError(f"this role lacks {', '.join(lacking)}; see the README's least-privilege GRANTs")
