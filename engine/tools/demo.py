"""The one-command demo: a fresh embedded database, the production layout, realistic data, then
the whole night as ``partcost night-run --yes`` runs it (backup and reports in $PARTCOST_HOME).

The demo is a list of named steps run in order. It only ever runs on the embedded server, because
its first step wipes the database."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from partcost.db import schema
from partcost.db.catalogue import row_counts
from partcost.db.connections import connection
from partcost.errors import PartcostError
from partcost.night.report import check_report_dir, write_reports
from partcost.night.run import NightRun, night_run
from partcost.night.run import Options as NightRunOptions
from partcost.server.dsn import DatabaseChoice, partcost_home
from partcost.server.embedded import server_for_home
from partcost.tools.seed import SeedOptions, seed

DEFAULT_TASKS = 2000


@dataclass
class Demo:
    """What the steps share: the database and the size of the run."""

    dsn: str
    tasks: int
    run_night: Callable[[str, NightRunOptions, Path], NightRun]
    seed_counts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Demo], str | None]  # returns a short summary, or None


def demo_steps() -> list[Step]:
    return [
        Step("schema create", _create_schema),
        Step("seed", _seed),
        Step("night run", _night_run),
    ]


def require_embedded(choice: DatabaseChoice) -> None:
    if not choice.embedded:
        raise PartcostError(
            f"the demo wipes its database, so it runs only on the embedded default; a database was "
            f"named by {choice.source} (unset it, or use `partcost seed` on a database you own)"
        )


def quiet_night(dsn: str, options: NightRunOptions, report_dir: Path) -> NightRun:
    """The night run without printing; reports written all the same."""
    night = night_run(dsn, options, confirm=lambda summary: True)
    write_reports(night, report_dir)
    return night


def run(
    choice: DatabaseChoice,
    tasks: int = DEFAULT_TASKS,
    on_step: Callable[[str, float, str | None], None] = lambda *_: None,
    run_night: Callable[[str, NightRunOptions, Path], NightRun] = quiet_night,
) -> dict:
    """Recreate the embedded ``partcost`` database and run every step on it, calling
    ``on_step(name, seconds, summary)`` after each; ``run_night(dsn, options, report_dir)`` runs the
    night (the CLI's prints as it goes). Returns the row count of every table."""
    require_embedded(choice)
    started = time.perf_counter()
    server = server_for_home(partcost_home())
    server.recreate_database()
    on_step("fresh database", time.perf_counter() - started, server.url())
    demo = Demo(dsn=server.url(), tasks=tasks, run_night=run_night)
    for step in demo_steps():
        started = time.perf_counter()
        summary = step.run(demo)
        on_step(step.name, time.perf_counter() - started, summary)
    with connection(demo.dsn) as conn:
        return row_counts(conn)


def _create_schema(demo: Demo) -> None:
    with connection(demo.dsn) as conn:
        schema.create(conn)


def _seed(demo: Demo) -> str:
    with connection(demo.dsn) as conn:
        demo.seed_counts = seed(conn, SeedOptions(tasks=demo.tasks))
    return f"{demo.seed_counts['machining_task']:,} tasks, {demo.seed_counts['tasks_timer']:,} timers"


def _night_run(demo: Demo) -> str:
    home = partcost_home()
    backups, reports = home / "backups", home / "reports"
    backups.mkdir(parents=True, exist_ok=True)
    check_report_dir(reports)
    night = demo.run_night(demo.dsn, NightRunOptions(backup_dir=backups), reports)
    if night.failure:
        raise PartcostError(f"the night run stopped at {night.failed_phase}: {night.failure.why}")
    return f"complete; backup and reports in {home}"
