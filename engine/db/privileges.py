"""The privileges recompute and drain-queue need, checked when they start: a role lacking one is
told which one, instead of failing half-way through the night on "permission denied".

Each is the narrowest grant that works: where a command uses some columns of a table that holds
more (auth_user's password hashes, a run's identity), only those columns. The README's "Least
privilege" section holds the matching GRANT statements."""

from typing import NamedTuple

from partcost.db.schema import COST_TABLES, QUEUE_TABLE
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError


class Grant(NamedTuple):
    table: str
    privilege: str
    columns: tuple[str, ...] = ()  # none: the whole table

    def __str__(self) -> str:
        on_columns = f" ({', '.join(self.columns)})" if self.columns else ""
        return f"{self.privilege}{on_columns} on {self.table}"


SOURCE_TABLES = (
    "django_content_type",
    "tasks_part",
    "tasks_operation",
    "tasks_timer",
    "users_wagerate",
    "core_currencyratesnapshot",
)

# Reading the sources (of auth_user only which users exist), writing the cost rows (COPY is INSERT),
# claiming queue rows (FOR UPDATE asks for UPDATE on any one column) and deleting them; the changed
# rows are staged in temporary tables.
RECOMPUTE = (
    [Grant(table, "SELECT") for table in SOURCE_TABLES]
    + [Grant("auth_user", "SELECT", ("id",))]
    + [
        Grant(table, privilege)
        for table in COST_TABLES
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE")
    ]
    + [
        Grant(QUEUE_TABLE, "SELECT"),
        Grant(QUEUE_TABLE, "UPDATE", ("enqueued_at",)),
        Grant(QUEUE_TABLE, "DELETE"),
    ]
)
# A run's row is inserted and later given its outcome; a partition's row is only inserted.
LEDGER = (
    [Grant("partcost_recompute_run", privilege) for privilege in ("SELECT", "INSERT")]
    + [Grant("partcost_recompute_run", "UPDATE", ("status", "finished_at"))]
    + [Grant("partcost_recompute_partition", privilege) for privilege in ("SELECT", "INSERT")]
)


def missing(conn, needed, temporary: bool = False) -> list:
    """``"PRIVILEGE (columns) on table"`` for each needed grant this role lacks."""
    with conn.cursor() as cur:
        cur.execute(
            sql_file("db/missing_privileges"),
            {
                "tables": [grant.table for grant in needed],
                "privileges": [grant.privilege for grant in needed],
                "columns": [",".join(grant.columns) for grant in needed],
                "temporary": temporary,
            },
        )
        lacking = [
            str(Grant(table, privilege, tuple(columns or ())))
            for _, table, privilege, columns in cur.fetchall()
        ]
    conn.rollback()
    return lacking


def require(conn, needed, temporary: bool = False) -> None:
    lacking = missing(conn, needed, temporary)
    if lacking:
        raise PartcostError(f"this role lacks {', '.join(lacking)}; see the README's least-privilege GRANTs")
