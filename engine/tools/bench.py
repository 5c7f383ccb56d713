"""``partcost bench``: how long each phase of the night takes at several sizes, a cost model per
phase fitted to that, and what it predicts for a real database ("does it fit in our window?").

Every size runs in its own scratch database, created for the purpose and dropped afterwards (on the
embedded server, or on the server of an admin DSN): existing data is never touched. The phases call
the same engine functions as ``night-run``. A phase's *rows* are the size it scales with
(:data:`ROWS_OF`), read from the database the same way for the scratch databases and for the
projection, so the fitted time ≈ a + b·rows applies to both."""

import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence

import numpy as np
import psutil
import psycopg2
from psycopg2 import sql

from partcost.db import schema
from partcost.db.catalogue import row_counts
from partcost.db.connections import connect, connection
from partcost.night.drift import drift
from partcost.server.dsn import partcost_home
from partcost.server.embedded import server_for_home
from partcost.errors import PartcostError
from partcost.migration.migrate_costs import migrate_costs
from partcost.migration.migrate_tasks import migrate_tasks
from partcost.recompute.run import recompute_all
from partcost.tools.seed import SeedOptions, seed
from partcost.recompute.split import WorkCalendar
from partcost.migration.validate import validate

# The rows the night's phases scale with, each the sum of these tables' row counts.
PHASE_ROWS = {"tasks": ("machining_task",), "timers": ("tasks_timer",),
              "job_cost_rows": ("machining_jobcostagg", "machining_jobcostagguser")}
# What each phase scales with, of the PHASE_ROWS.
ROWS_OF = {"seed": "timers", "migrate-tasks": "tasks", "migrate-costs": "job_cost_rows",
           "validate": "tasks", "recompute": "timers", "recompute re-run": "timers", "drift": "tasks"}
# A night run's phases, as benchmarked; the dry run does migrate-tasks' work and rolls it back.
NIGHT = ("migrate-tasks", "migrate-tasks", "migrate-costs", "validate", "recompute", "drift")
SAMPLE_SECONDS = 0.02
SAY = Callable[[str], None]


@dataclass
class Measurement:
    phase: str
    tasks: int
    workers: Optional[int]   # recompute phases only
    rows: int
    seconds: float
    peak_mib: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")

    @property
    def series(self) -> str:
        """One line of the chart / one fitted model: the phase, and its worker count if it has one."""
        if self.workers is None:
            return self.phase
        return f"{self.phase} ({self.workers} worker{'s' if self.workers > 1 else ''})"


@dataclass
class Model:
    """time ≈ a + b·rows, least squares; ``rms`` the residuals' root mean square in seconds (None
    with only two sizes, where the line fits exactly and says nothing about its error)."""

    series: str
    phase: str
    workers: Optional[int]
    rows_of: str
    a: float
    b: float
    rms: Optional[float]
    points: int

    def seconds(self, rows: int) -> float:
        return max(0.0, self.a + self.b * rows)


# -- scratch databases ----------------------------------------------------------------------------


def embedded_admin_dsn() -> str:
    """The embedded default server (started if need be), as a DSN to its ``postgres`` database."""
    server = server_for_home(partcost_home())
    server.start()
    return server.url("postgres")


@contextmanager
def scratch_database(admin_dsn: str, label: str) -> Iterator[str]:
    """A new, empty database on the admin DSN's server, dropped on the way out. It must not exist
    already: a name collision must never drop someone's data."""
    name = f"partcost_bench_{os.getpid()}_{label}"
    _admin(admin_dsn, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield psycopg2.extensions.make_dsn(admin_dsn, dbname=name)
    finally:
        _admin(admin_dsn, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _admin(admin_dsn: str, statement) -> None:
    conn = connect(admin_dsn, "partcost bench")
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    except psycopg2.errors.DuplicateDatabase:
        raise PartcostError(f"scratch database {statement.as_string(conn)} already exists; "
                            "not touching it (another bench running?)") from None
    finally:
        conn.close()


def phase_rows(conn) -> Dict[str, int]:
    """The database's PHASE_ROWS (ends the transaction)."""
    counts = row_counts(conn, [table for tables in PHASE_ROWS.values() for table in tables])
    return {rows: sum(counts[table] for table in tables) for rows, tables in PHASE_ROWS.items()}


def read_only_row_counts(dsn: str) -> Dict[str, int]:
    """The PHASE_ROWS of a real database, in a read-only transaction."""
    with connection(dsn, "partcost bench --project-for-dsn") as conn:
        conn.set_session(readonly=True)
        schema.require(conn, schema.OLD_TABLES)
        return phase_rows(conn)


# -- measuring ------------------------------------------------------------------------------------


class PeakMemory:
    """Samples the resident memory of this process and all its children (the recompute's workers)
    in a background thread; ``peak_mib`` is the largest sum seen."""

    def __init__(self):
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak / 2**20

    def _sample(self) -> None:
        me = psutil.Process()
        while True:
            self.peak = max(self.peak, tree_rss(me))
            if self._done.wait(SAMPLE_SECONDS):
                return


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for member in [process] + process.children(recursive=True):
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def timed(phase: str, tasks: int, workers: Optional[int], work: Callable[[], object],
          rows_after: Callable[[], Dict[str, int]]) -> Measurement:
    """Run ``work`` and measure it; its rows are read from the database afterwards, untimed."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
    return Measurement(phase, tasks, workers, rows_after()[ROWS_OF[phase]], seconds, memory.peak_mib)


def bench_size(admin_dsn: str, tasks: int, timers_per_task: int, worker_counts: Sequence[int],
               on_measurement: Callable[[Measurement], None] = lambda m: None,
               stop_file: Path = Path(".partcost-bench.stop")) -> List[Measurement]:
    """Every phase of the night at one size, in its own scratch database."""
    measurements = []
    calendar = WorkCalendar.parse()
    with scratch_database(admin_dsn, str(tasks)) as dsn, connection(dsn, "partcost bench") as conn:

        def measure(phase, work, workers=None):
            measurements.append(timed(phase, tasks, workers, work, lambda: phase_rows(conn)))
            on_measurement(measurements[-1])

        schema.create(conn)
        measure("seed", lambda: seed(conn, SeedOptions(tasks=tasks, timers_per_task=timers_per_task)))
        measure("migrate-tasks", lambda: list(migrate_tasks(conn)))
        measure("migrate-costs", lambda: migrate_costs(conn))
        measure("validate", lambda: validate(conn))
        for workers in worker_counts:
            _back_to_copied_costs(conn)
            recompute = lambda: _recompute(dsn, calendar, workers, stop_file)  # noqa: E731
            measure("recompute", recompute, workers)
            measure("recompute re-run", recompute, workers)
        measure("drift", lambda: drift(conn))
    return measurements


def _recompute(dsn: str, calendar: WorkCalendar, workers: int, stop_file: Path) -> None:
    summary = recompute_all(dsn, calendar, workers, stop_file)
    if summary.exit_code:
        raise PartcostError(f"the benchmark's recompute did not complete ({summary.status}, "
                            f"{len(summary.failed)} failed): its times would mean nothing")


def _back_to_copied_costs(conn) -> None:
    """The cost tables as migrate-costs left them and no ledger, so that every worker count's first
    recompute starts from the same state."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, schema.COST_TABLES))))
        cur.execute("DROP TABLE IF EXISTS partcost_recompute_partition, partcost_recompute_run")
    conn.commit()
    migrate_costs(conn)


# -- the cost model -------------------------------------------------------------------------------


def fit(measurements: List[Measurement]) -> Dict[str, Model]:
    """One least-squares line per phase (and worker count) over the sizes; the slope is never
    negative."""
    models = {}
    for series in dict.fromkeys(m.series for m in measurements):
        points = [m for m in measurements if m.series == series]
        rows = np.array([m.rows for m in points], dtype=float)
        seconds = np.array([m.seconds for m in points])
        design = np.column_stack([np.ones_like(rows), rows])
        (a, b), *_ = np.linalg.lstsq(design, seconds, rcond=None)
        if b < 0:  # noise on a flat phase: no row makes a phase faster, so a level line instead
            a, b = seconds.mean(), 0.0
        rms = float(np.sqrt(np.mean((design @ [a, b] - seconds) ** 2))) if len(points) > 2 else None
        first = points[0]
        models[series] = Model(series, first.phase, first.workers, ROWS_OF[first.phase], float(a), float(b),
                               rms, len(points))
    return models


def project(models: Dict[str, Model], counts: Dict[str, int], worker_counts: Sequence[int]) -> Dict[int, dict]:
    """{workers: {phase: seconds, ..., "night run": seconds}} for a database with ``counts``."""
    projection = {}
    for workers in worker_counts:
        phases = {}
        for phase in dict.fromkeys(NIGHT):
            model = next((m for m in models.values() if m.phase == phase and m.workers in (workers, None)), None)
            if model:
                phases[phase] = model.seconds(counts[model.rows_of])
        phases["dry run"] = phases.get("migrate-tasks", 0.0)
        phases["night run"] = sum(phases[p] for p in NIGHT if p in phases)
        projection[workers] = phases
    return projection


# -- output files ---------------------------------------------------------------------------------


def write_json(out_dir: Path, measurements: List[Measurement], models: Dict[str, Model],
               projection: Optional[dict] = None, counts: Optional[dict] = None) -> Path:
    path = Path(out_dir) / "bench.json"
    path.write_text(json.dumps({
        "measurements": [{**asdict(m), "rows_per_second": round(m.rows_per_second, 1)} for m in measurements],
        "models": {series: asdict(model) for series, model in models.items()},
        "projection": {"row_counts": counts, "seconds_by_workers": projection} if projection else None,
    }, indent=2) + "\n")
    return path


def write_chart(out_dir: Path, measurements: List[Measurement]) -> Optional[Path]:
    """bench.png: time against size, one line per phase and worker count; None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, axes = plt.subplots(figsize=(9, 6))
    for series in dict.fromkeys(m.series for m in measurements):
        points = [m for m in measurements if m.series == series]
        axes.plot([m.tasks for m in points], [m.seconds for m in points], marker="o", label=series)
    axes.set(xlabel="machining tasks", ylabel="seconds", title="partcost bench: time per phase against size")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    path = Path(out_dir) / "bench.png"
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path
