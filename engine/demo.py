"""The one-command demo: a fresh embedded database, the production layout, realistic data, then
the night's stages that exist so far.

The demo is a list of named steps run in order, so wiring in another stage is one line in
``demo_steps``. It only ever runs on the embedded server, because its first step wipes the database."""

import os
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Callable, List, Optional

from engine import schema
from engine.db import connection, sql_file
from engine.dsn import DatabaseChoice, partcost_home
from engine.embedded import server_for_home
from engine.errors import PartcostError
from engine.seed import SeedOptions, seed

DEFAULT_TASKS = 2000


@dataclass
class Demo:
    """What the steps share: the database and the size of the run."""

    dsn: str
    tasks: int
    seed_counts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Demo], Optional[str]]  # returns a short summary, or None


def demo_steps() -> List[Step]:
    return [
        Step("schema create", _create_schema),
        Step("seed", _seed),
        Step("migrate-tasks", _migrate_tasks),
        Step("migrate-costs", _migrate_costs),
        Step("validate", _validate),
        Step("recompute", _recompute),
    ]


def require_embedded(choice: DatabaseChoice) -> None:
    if not choice.embedded:
        raise PartcostError(
            f"the demo wipes its database, so it runs only on the embedded default; a database was "
            f"named by {choice.source} (unset it, or use `partcost seed` on a database you own)")


def run(choice: DatabaseChoice, tasks: int = DEFAULT_TASKS,
        on_step: Callable[[str, float, Optional[str]], None] = lambda *_: None) -> dict:
    """Recreate the embedded ``partcost`` database and run every step on it, calling
    ``on_step(name, seconds, summary)`` after each. Returns the row count of every table."""
    require_embedded(choice)
    started = time.perf_counter()
    server = server_for_home(partcost_home())
    server.recreate_database()
    on_step("fresh database", time.perf_counter() - started, server.url())
    demo = Demo(dsn=server.url(), tasks=tasks)
    for step in demo_steps():
        started = time.perf_counter()
        summary = step.run(demo)
        on_step(step.name, time.perf_counter() - started, summary)
    return row_counts(demo.dsn)


def row_counts(dsn: str) -> dict:
    with connection(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql_file("row_counts"))
        return dict(cur.fetchall())


def _create_schema(demo: Demo) -> None:
    with connection(demo.dsn) as conn:
        schema.create(conn)


def _seed(demo: Demo) -> str:
    with connection(demo.dsn) as conn:
        demo.seed_counts = seed(conn, SeedOptions(tasks=demo.tasks))
    return f"{demo.seed_counts['machining_task']:,} tasks, {demo.seed_counts['tasks_timer']:,} timers"


def _migrate_tasks(demo: Demo) -> str:
    from engine.migrate_tasks import migrate_tasks
    with connection(demo.dsn) as conn:
        batches = list(migrate_tasks(conn))
    migrated = sum(len(b.migrated) for b in batches)
    failed = sum(len(b.failed) for b in batches)
    return f"{migrated:,} migrated, {sum(b.skipped for b in batches):,} skipped, {failed:,} failed"


def _migrate_costs(demo: Demo) -> str:
    from engine.migrate_costs import migrate_costs
    with connection(demo.dsn) as conn:
        parts, users = migrate_costs(conn)
    return f"{parts.migrated:,} part and {users.migrated:,} per-user cost rows copied"


def _validate(demo: Demo) -> str:
    from engine.validate import validate
    with connection(demo.dsn) as conn:
        report = validate(conn)
    return "VALIDATION PASSED" if report.passed else f"VALIDATION FAILED: {'; '.join(report.errors)}"


def _recompute(demo: Demo) -> str:
    from engine.recompute import DEFAULT_STOP_FILE, recompute_all
    from engine.split import WorkCalendar
    summary = recompute_all(demo.dsn, WorkCalendar.parse(), workers=os.cpu_count() or 1,
                            stop_file=Path(DEFAULT_STOP_FILE))
    if summary.exit_code:
        raise PartcostError(f"recompute did not complete: {summary.failed[:3]}")
    return f"{summary.successful:,} parts costed, {summary.counts.inserted:,} rows written"
