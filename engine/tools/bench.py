"""``partcost bench``: how long each phase of the night takes at several sizes (the scale ladder), next
to its physical floor, the whole night run at each size, a cost model per phase fitted to that, and
what it predicts for a real database ("does it fit in our window?").

Every size runs in its own scratch database, created for the purpose and dropped afterwards (on the
embedded server, or on the server of an admin DSN): existing data is never touched. Right after the
seed, two copies of it are made (``CREATE DATABASE … TEMPLATE``): one for the floors, one for a whole
``night-run``; the phases then run on the original, the floors and the night on their copies, so no
measurement disturbs another's state. The phases call the same engine functions as ``night-run``.

*Floors* (:data:`FLOORS`) are what PostgreSQL alone needs for the same work, done the plainest way:
migrate-tasks' parts, operations and timer moves by three set-based statements in one transaction
(sql/tools/bench_floor_migrate_tasks.sql), migrate-costs' rows by two INSERT … SELECT, the recompute's timers
COPYed out and its result rows COPYed in, and for the read-only phases (validate, drift) one plain read
of every table they read.

A phase's *rows* are the size it scales with (:func:`rows_of`), read from the database the same way
for the scratch databases and for the projection, so the fitted time ≈ a + b·rows applies to both."""

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np
import psutil
import psycopg2
from psycopg2 import sql

from partcost.db import schema
from partcost.db.catalogue import content_type_id, row_counts
from partcost.db.connections import connect, connection
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.migration.migrate_costs import migrate_costs
from partcost.migration.migrate_tasks import migrate_tasks
from partcost.migration.validate import validate
from partcost.night.drift import drift
from partcost.night.run import Options as NightOptions
from partcost.night.run import night_run
from partcost.recompute.load import operation_content_type
from partcost.recompute.run import recompute_all
from partcost.recompute.split import WorkCalendar
from partcost.server.dsn import partcost_home
from partcost.server.embedded import server_for_home
from partcost.tools.seed import SeedOptions, seed

# The rows the night's phases scale with, each the sum of these tables' row counts.
PHASE_ROWS = {
    "tasks": ("machining_task",),
    "timers": ("tasks_timer",),
    "job_cost_rows": ("machining_jobcostagg", "machining_jobcostagguser"),
}
# What each phase scales with, of the PHASE_ROWS (its floor and its part of the whole night scale with
# the same; see rows_of).
ROWS_OF = {
    "seed": "timers",
    "migrate-tasks": "tasks",
    "migrate-costs": "job_cost_rows",
    "validate": "tasks",
    "recompute": "timers",
    "recompute re-run": "timers",
    "drift": "tasks",
    "dry run": "tasks",
    "preflight": "tasks",
    "schema upgrade": "tasks",
    "backup": "tasks",
    "night run": "tasks",
}
# A night run's phases, as projected from the phases measured on their own, and its dry run: counted as
# one more migrate-tasks unless the night's own dry run was measured ("night: dry run").
NIGHT = ("migrate-tasks", "migrate-costs", "validate", "recompute", "drift")
# The phases with a physical floor, and the tables the read-only ones read once for theirs.
FLOORS = ("migrate-tasks", "migrate-costs", "validate", "recompute", "drift")
FLOOR_READS = {
    "validate": (
        "machining_task",
        "tasks_part",
        "tasks_operation",
        "tasks_timer",
        "machining_jobcostagg",
        "machining_jobcostagguser",
        "tasks_partcostagg",
        "tasks_partcostaguser",
    ),
    "drift": ("tasks_part", "machining_jobcostagg", "tasks_partcostagg"),
}
RESULT_COLUMNS = {
    "tasks_partcostagg": "part_id, job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww, cost_ah,"
    " cost_su, total_cost, updated_at",
    "tasks_partcostaguser": "part_id, user_id, job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww,"
    " cost_ah, cost_su, total_cost, updated_at",
}
SORT_KEYS = {"tasks_partcostagg": "part_id", "tasks_partcostaguser": "part_id, user_id"}
SAMPLE_SECONDS = 0.02
# The re-run with nothing changed takes well under a second at every size: one sample of it is mostly
# noise, so the bench keeps the median of this many (each a complete re-run, changing nothing).
RE_RUN_SAMPLES = 3


def rows_of(phase: str) -> str:
    """The count a phase scales with: "migrate-tasks floor" and "night: migrate-tasks" as "migrate-tasks"."""
    base = phase[len("night: ") :] if phase.startswith("night: ") else phase
    base = base[: -len(" floor")] if base.endswith(" floor") else base
    return ROWS_OF.get(base, "tasks")


SAY = Callable[[str], None]


@dataclass
class Measurement:
    phase: str
    tasks: int
    workers: int | None  # recompute phases only
    rows: int
    seconds: float
    peak_mib: float
    stages: dict[str, float] | None = None  # the recompute's seconds per stage, summed over partitions

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
    with only two sizes, where the line fits exactly and says nothing about its error). ``max_rows``:
    the largest size measured — a projection beyond it extrapolates the line. ``note``: why the line
    is not the plain least-squares one, if it is not. ``per_row_growth``: the cost per row at the
    largest size over that at the smallest (1.0: linear)."""

    series: str
    phase: str
    workers: int | None
    rows_of: str
    a: float
    b: float
    rms: float | None
    points: int
    max_rows: int = 0
    note: str | None = None
    per_row_growth: float | None = None

    def seconds(self, rows: int) -> float:
        return max(0.0, self.a + self.b * rows)

    def extrapolates(self, rows: int) -> float | None:
        """How far beyond the largest size measured ``rows`` lies (a factor), or None within it."""
        return rows / self.max_rows if self.max_rows and rows > self.max_rows else None


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
        raise PartcostError(
            f"scratch database {statement.as_string(conn)} already exists; "
            "not touching it (another bench running?)"
        ) from None
    finally:
        conn.close()


@contextmanager
def database_copy(admin_dsn: str, source_dsn: str, label: str) -> Iterator[str]:
    """A scratch copy of a scratch database (nobody may be connected to the source), dropped on the
    way out. FILE_COPY (PostgreSQL 15+) copies the files instead of writing every page to the WAL."""
    name = f"partcost_bench_{os.getpid()}_{label}"
    source = psycopg2.extensions.parse_dsn(source_dsn)["dbname"]
    with connection(admin_dsn, "partcost bench") as conn:
        file_copy = conn.server_version >= 150000
    statement = sql.SQL(
        "CREATE DATABASE {} TEMPLATE {}" + (" STRATEGY FILE_COPY" if file_copy else "")
    ).format(sql.Identifier(name), sql.Identifier(source))
    _admin(admin_dsn, statement)
    try:
        yield psycopg2.extensions.make_dsn(admin_dsn, dbname=name)
    finally:
        _admin(admin_dsn, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_settings(dsn: str) -> dict[str, str]:
    """What the figures depend on besides the machine: the server's version and memory settings."""
    with connection(dsn, "partcost bench") as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            (
                [
                    "server_version",
                    "shared_buffers",
                    "work_mem",
                    "maintenance_work_mem",
                    "fsync",
                    "synchronous_commit",
                    "max_parallel_workers_per_gather",
                ],
            ),
        )
        return dict(cur.fetchall())


def phase_rows(conn) -> dict[str, int]:
    """The database's PHASE_ROWS (ends the transaction)."""
    counts = row_counts(conn, [table for tables in PHASE_ROWS.values() for table in tables])
    return {rows: sum(counts[table] for table in tables) for rows, tables in PHASE_ROWS.items()}


def read_only_row_counts(dsn: str) -> dict[str, int]:
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
        with suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def timed(
    phase: str,
    tasks: int,
    workers: int | None,
    work: Callable[[], object],
    rows_after: Callable[[], dict[str, int]],
) -> Measurement:
    """Run ``work`` and measure it; its rows are read from the database afterwards, untimed."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    return Measurement(
        phase,
        tasks,
        workers,
        rows_after()[rows_of(phase)],
        seconds,
        memory.peak_mib,
        _stages(getattr(result, "timings", None)),
    )


def _stages(timings: dict | None) -> dict[str, float] | None:
    return {stage: round(seconds, 3) for stage, seconds in timings.items()} if timings else None


def bench_size(
    admin_dsn: str,
    tasks: int,
    timers_per_task: int,
    worker_counts: Sequence[int],
    on_measurement: Callable[[Measurement], None] = lambda m: None,
    stop_file: Path = Path(".partcost-bench.stop"),
    floors: bool = True,
    night: bool = True,
) -> list[Measurement]:
    """Every phase of the night at one size, in its own scratch database; with ``floors`` each phase's
    physical floor beside it, with ``night`` a whole night run (the largest worker count), each on a
    copy of the seeded database."""
    measurements = []
    calendar = WorkCalendar.parse()

    def add(measurement: Measurement) -> Measurement:
        measurements.append(measurement)
        on_measurement(measurement)
        return measurement

    def measure(phase, work, dsn, workers=None, samples=1) -> Measurement:
        """``work`` timed ``samples`` times: the median run is kept."""
        with connection(dsn, "partcost bench") as counting:
            runs = [timed(phase, tasks, workers, work, lambda: phase_rows(counting)) for _ in range(samples)]
        return add(sorted(runs, key=lambda run: run.seconds)[len(runs) // 2])

    with ExitStack() as stack:
        dsn = stack.enter_context(scratch_database(admin_dsn, str(tasks)))
        with connection(dsn, "partcost bench") as conn:
            schema.create(conn)
            measure(
                "seed", lambda: seed(conn, SeedOptions(tasks=tasks, timers_per_task=timers_per_task)), dsn
            )
        floor_dsn = stack.enter_context(database_copy(admin_dsn, dsn, f"{tasks}_floor")) if floors else ""
        night_dsn = stack.enter_context(database_copy(admin_dsn, dsn, f"{tasks}_night")) if night else ""
        if floors:
            measure("migrate-tasks floor", lambda: _migrate_tasks_floor(floor_dsn), floor_dsn)
            measure(
                "migrate-costs floor",
                lambda: _statements_floor(floor_dsn, "tools/bench_floor_migrate_costs"),
                floor_dsn,
            )
        with connection(dsn, "partcost bench") as conn:
            measure("migrate-tasks", lambda: list(migrate_tasks(conn)), dsn)
            measure("migrate-costs", lambda: migrate_costs(conn), dsn)
            measure("validate", lambda: validate(conn), dsn)
            for workers in worker_counts:
                _back_to_copied_costs(conn)
                recompute = partial(_recompute, dsn, calendar, workers, stop_file)
                measure("recompute", recompute, dsn, workers)
                measure("recompute re-run", recompute, dsn, workers, samples=RE_RUN_SAMPLES)
            measure("drift", lambda: drift(conn), dsn)
        if floors:
            with _result_rows(dsn) as results:
                _empty_cost_tables(floor_dsn)
                measure("recompute floor", lambda: _recompute_floor(floor_dsn, results), floor_dsn)
            for phase in ("validate", "drift"):
                measure(f"{phase} floor", partial(_read_floor, floor_dsn, FLOOR_READS[phase]), floor_dsn)
        if night:
            _night(night_dsn, tasks, calendar, max(worker_counts), stop_file, measure, add)
    return measurements


def _night(dsn: str, tasks: int, calendar: WorkCalendar, workers: int, stop_file: Path, measure, add) -> None:
    """The whole ``night-run`` (answering yes; no backup: pg_dump's time depends on the disk), then
    each of its phases as the night timed it ("night: dry run", ...)."""
    options = NightOptions(
        workers=workers, backup_dir=None, allow_connections=True, stop_file=stop_file, calendar=calendar
    )
    record = {}

    def run_night():
        record["night"] = night_run(dsn, options, confirm=lambda summary: True)
        if record["night"].failure:
            raise PartcostError(
                f"the benchmark's night run stopped at {record['night'].failed_phase}: "
                f"{record['night'].failure.why}"
            )

    whole = measure("night run", run_night, dsn, workers)
    with connection(dsn, "partcost bench") as conn:
        counts = phase_rows(conn)
    for phase in record["night"].phases:
        name = f"night: {phase.name}"
        stages = _stages(record["night"].recompute.timings) if phase.name == "recompute" else None
        add(
            Measurement(
                name,
                tasks,
                workers if phase.name == "recompute" else None,
                counts[rows_of(name)],
                phase.seconds,
                whole.peak_mib,
                stages,
            )
        )


# -- floors ---------------------------------------------------------------------------------------


def _migrate_tasks_floor(dsn: str) -> None:
    with connection(dsn, "partcost bench floor") as conn:
        content_types = {
            "task_type": content_type_id(conn, "machining", "task"),
            "operation_type": content_type_id(conn, "tasks", "operation"),
        }
        with conn.cursor() as cur:
            cur.execute(sql_file("tools/bench_floor_migrate_tasks"), content_types)
        conn.commit()


def _statements_floor(dsn: str, name: str) -> None:
    with connection(dsn, "partcost bench floor") as conn, conn.cursor() as cur:
        cur.execute(sql_file(name))
        conn.commit()


@contextmanager
def _result_rows(dsn: str) -> Iterator[dict]:
    """The recompute's result rows of a database, sorted, as CSV in temporary files (untimed)."""
    with ExitStack() as stack, connection(dsn, "partcost bench floor") as conn, conn.cursor() as cur:
        files = {}
        for table in schema.COST_TABLES:
            files[table] = stack.enter_context(tempfile.TemporaryFile())
            cur.copy_expert(
                f"COPY (SELECT {RESULT_COLUMNS[table]} FROM {table} ORDER BY {SORT_KEYS[table]})"
                " TO STDOUT WITH (FORMAT csv)",
                files[table],
            )
        conn.rollback()
        yield files


class _Discard:
    def write(self, data) -> int:
        return len(data)


def _recompute_floor(dsn: str, results: dict) -> None:
    """COPY every timer the recompute loads out (one stream), then the result rows in, committed."""
    with connection(dsn, "partcost bench floor") as conn, conn.cursor() as cur:
        timers = cur.mogrify(
            sql_file("recompute/load_timers"),
            {
                "operation_ct": operation_content_type(conn),
                "partitions": 1,
                "partition": 0,
                "part_keys": None,
            },
        ).decode()
        cur.copy_expert(f"COPY ({timers}) TO STDOUT WITH (FORMAT csv)", _Discard())
        for table in schema.COST_TABLES:
            results[table].seek(0)
            cur.copy_expert(
                f"COPY {table} ({RESULT_COLUMNS[table]}) FROM STDIN WITH (FORMAT csv)", results[table]
            )
        conn.commit()


def _empty_cost_tables(dsn: str) -> None:
    with connection(dsn, "partcost bench floor") as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE tasks_partcostagg, tasks_partcostaguser")
        conn.commit()


def _read_floor(dsn: str, tables: Sequence[str]) -> None:
    """One plain sequential read of each table (what any check of them must at least do)."""
    with connection(dsn, "partcost bench floor") as conn, conn.cursor() as cur:
        for table in tables:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            cur.fetchone()
        conn.rollback()


def _recompute(dsn: str, calendar: WorkCalendar, workers: int, stop_file: Path):
    summary = recompute_all(dsn, calendar, workers, stop_file)
    if summary.exit_code:
        raise PartcostError(
            f"the benchmark's recompute did not complete ({summary.status}, "
            f"{len(summary.failed)} failed): its times would mean nothing"
        )
    return summary


def _back_to_copied_costs(conn) -> None:
    """The cost tables as migrate-costs left them and no ledger, so that every worker count's first
    recompute starts from the same state."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, schema.COST_TABLES)))
        )
        cur.execute("DROP TABLE IF EXISTS partcost_recompute_partition, partcost_recompute_run")
    conn.commit()
    migrate_costs(conn)


# -- the cost model -------------------------------------------------------------------------------


def fit(measurements: list[Measurement]) -> dict[str, Model]:
    """One least-squares line per phase (and worker count) over the sizes. The slope is never
    negative (no row makes a phase faster: noise on a flat phase gives a level line) and neither is
    the start-up time: a line that would need a negative one (the per-row cost grows with the size, or
    one size is an outlier) is refitted through the origin instead, and ``note`` says so with the
    free fit's figures."""
    models = {}
    for series in dict.fromkeys(m.series for m in measurements):
        points = [m for m in measurements if m.series == series]
        rows = np.array([m.rows for m in points], dtype=float)
        seconds = np.array([m.seconds for m in points])
        design = np.column_stack([np.ones_like(rows), rows])
        (a, b), *_ = np.linalg.lstsq(design, seconds, rcond=None)
        note = None
        if b < 0:  # noise on a flat phase: no row makes a phase faster, so a level line instead
            a, b = seconds.mean(), 0.0
        elif a < 0 and rows.any():
            free = (a, b)
            a, b = 0.0, float(rows @ seconds / (rows @ rows))
            note = (
                f"start-up fixed at 0 s: the free least-squares line had a = {free[0]:.2f} s, "
                f"b = {free[1] * 1e6:.3f} s per million — a negative start-up time, so these sizes do "
                "not lie on a straight line (per-row cost growing with size, or an outlier)"
            )
        rms = float(np.sqrt(np.mean((design @ [a, b] - seconds) ** 2))) if len(points) > 2 else None
        by_size = sorted(points, key=lambda m: m.rows)
        per_row = [m.seconds / m.rows for m in (by_size[0], by_size[-1]) if m.rows]
        growth = per_row[1] / per_row[0] if len(per_row) == 2 and len(points) > 1 and per_row[0] else None
        first = points[0]
        models[series] = Model(
            series,
            first.phase,
            first.workers,
            rows_of(first.phase),
            float(a),
            float(b),
            rms,
            len(points),
            int(rows.max()),
            note,
            growth,
        )
    return models


def project(
    models: dict[str, Model], counts: dict[str, int], worker_counts: Sequence[int]
) -> dict[int, dict]:
    """{workers: {phase: seconds, ..., "dry run", "night run": seconds}} for a database with ``counts``:
    the night as the sum of its phases' lines (the dry run's own line if the night's dry run was
    measured, else one more migrate-tasks), and "night run, measured whole" from the whole nights'
    line when there is one."""
    projection = {}
    for workers in worker_counts:
        phases = {}
        for phase in NIGHT:
            model = _model_for(models, phase, workers)
            if model:
                phases[phase] = model.seconds(counts[model.rows_of])
        dry = _model_for(models, "night: dry run", workers)
        phases["dry run"] = dry.seconds(counts[dry.rows_of]) if dry else phases.get("migrate-tasks", 0.0)
        phases["night run"] = sum(phases[p] for p in NIGHT if p in phases) + phases["dry run"]
        whole = _model_for(models, "night run", workers)
        if whole:
            phases["night run, measured whole"] = whole.seconds(counts[whole.rows_of])
        projection[workers] = phases
    return projection


def _model_for(models: dict[str, Model], phase: str, workers: int) -> Model | None:
    return next((m for m in models.values() if m.phase == phase and m.workers in (workers, None)), None)


def extrapolations(models: dict[str, Model], counts: dict[str, int]) -> dict[str, float]:
    """{series: how many times beyond its largest measured size the projection goes} for every model
    a projection for ``counts`` extrapolates."""
    return {
        series: factor
        for series, model in models.items()
        if (factor := model.extrapolates(counts.get(model.rows_of, 0)))
    }


def per_row_table(measurements: list[Measurement]) -> dict[str, dict[int, float]]:
    """{series: {tasks: microseconds per row}}: flat rows mean the phase scales linearly."""
    table: dict[str, dict[int, float]] = {}
    for m in measurements:
        if m.rows:
            table.setdefault(m.series, {})[m.tasks] = m.seconds / m.rows * 1e6
    return table


# -- output files ---------------------------------------------------------------------------------


def write_json(
    out_dir: Path,
    measurements: list[Measurement],
    models: dict[str, Model],
    projection: dict | None = None,
    counts: dict | None = None,
    server: dict | None = None,
) -> Path:
    path = Path(out_dir) / "bench.json"
    path.write_text(
        json.dumps(
            {
                "server": server,
                "measurements": [
                    {**asdict(m), "rows_per_second": round(m.rows_per_second, 1)} for m in measurements
                ],
                "microseconds_per_row": per_row_table(measurements),
                "models": {series: asdict(model) for series, model in models.items()},
                "projection": {
                    "row_counts": counts,
                    "seconds_by_workers": projection,
                    "extrapolated": extrapolations(models, counts or {}),
                }
                if projection
                else None,
            },
            indent=2,
        )
        + "\n"
    )
    return path


def write_chart(out_dir: Path, measurements: list[Measurement]) -> Path | None:
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
