"""Shared by the migration tests: run a command as an operator would, snapshot whole tables,
add old cost rows, and a small factory with awkward task keys."""

from decimal import Decimal

import psycopg2
import psycopg2.extensions
from click.testing import CliRunner

from partcost.cli.main import partcost
from tests.support.builder import NOW

# Keys as production has them: spaces, commas, quotes, backslashes, tabs, newlines, non-ASCII.
AWKWARD_KEYS = ["M 001", "M,002", "M'003\"", "M\\004", "M\t005", "M\n006", "Müşteri-ğ İ 007"]


def run(dsn, *args):
    """``partcost --dsn DSN args…`` through click, as a user would type it."""
    return CliRunner().invoke(partcost, ["--dsn", dsn, *args], catch_exceptions=False)


def snapshot(dsn) -> dict:
    """Every table of the database, every row, in a stable order: compare before and after."""
    conn = psycopg2.connect(dsn)
    tables = {}
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        )
        for (table,) in cur.fetchall():
            cur.execute(f"SELECT * FROM {psycopg2.extensions.quote_ident(table, cur)}")
            tables[table] = sorted(cur.fetchall(), key=repr)
    conn.close()
    return tables


COSTS = dict(
    job_no_cached="J-1",
    currency="EUR",
    hours_ww=Decimal("8.50"),
    hours_ah=Decimal("1.25"),
    hours_su=Decimal("0.00"),
    cost_ww=Decimal("1000.10"),
    cost_ah=Decimal("250.40"),
    cost_su=Decimal("0.00"),
    total_cost=Decimal("1250.50"),
    updated_at=NOW,
)


def job_cost(conn, task_key: str, user_id: int = None, **values) -> None:
    """An old cost row for a task (per user when ``user_id`` is given)."""
    row = {"task_id": task_key, **COSTS, **values}
    table = "machining_jobcostagg"
    if user_id is not None:
        row["user_id"] = user_id
        table = "machining_jobcostagguser"
    columns = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


def small_factory(build, keys=("M-001", "M-002", "M-003")) -> dict:
    """Tasks with timers and old cost rows, plus a native part with its own timer."""
    worker, boss = build.user("worker"), build.user("boss")
    for number, key in enumerate(keys, start=1):
        build.task(
            key,
            job_no="J-1",
            created_by_id=boss,
            machine_fk_id=number,
            in_plan=True,
            plan_order=1,
            estimated_hours=Decimal("2.50"),
        )
        build.timer(worker, key, "2024-03-04 07:30", "2024-03-04 12:00", on="task")
        build.timer(boss, key, "2024-03-05 07:30", "2024-03-05 09:00", on="task")
        job_cost(build.conn, key)
        job_cost(build.conn, key, user_id=worker)
    build.part("PT-001", job_no="J-9")
    build.operation("PT-001-OP-1", "PT-001", order=1)
    build.timer(worker, "PT-001-OP-1", "2024-03-06 07:30", "2024-03-06 10:00")
    build.commit()
    return {"worker": worker, "boss": boss, "keys": list(keys)}
