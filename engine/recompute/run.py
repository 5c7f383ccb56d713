"""``partcost recompute``: every part's cost rows from its timers, partition by partition.

The parts are split into hash partitions of their keys; each partition is loaded, computed and written
in one transaction by one worker process, and recorded in the run ledger in that same transaction.
Before any of that, the parent finds which partitions changed since their last record (partcost.recompute.changes)
and marks the others as done without loading them; when nothing changed, no worker is even started.
Only one full recompute runs against a database at a time (a session advisory lock)."""

import math
import os
import socket
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from partcost.commands import command
from partcost.db import privileges, schema
from partcost.db.connections import connect, connection, database_error_message
from partcost.db.sql_files import sql_file
from partcost.errors import ExitStatus, PartcostError
from partcost.recompute import changes, ledger
from partcost.recompute.ledger import RunStatus
from partcost.recompute.load import load_prices, operation_content_type
from partcost.recompute.pool import StopSignal, WorkerPool, run_scope_safely
from partcost.recompute.scope import LOCK_SLOTS, Scope
from partcost.recompute.split import WorkCalendar
from partcost.recompute.worker import ScopeResult, Worker, record_context
from partcost.recompute.write import WriteCounts

RUN_LOCK = (1885434485, 0)  # one full recompute per database
# Bounds a worker's memory (it follows the partition, not the database). Each partition also reads the
# parts and cost tables through its hash filter, a cost of partitions × rows: halving this doubles it
# (docs/performance.md, the scale ladder: 16 partitions against 32 at 1,000,000 tasks).
TIMERS_PER_PARTITION = 500_000
MAX_WORKERS = 64
DEFAULT_STOP_FILE = "recompute_part_costs.stop"


@dataclass
class Summary:
    status: RunStatus = RunStatus.COMPLETE
    partitions: int = 0
    partitions_done: int = 0
    successful: int = 0
    failed: list = field(default_factory=list)  # [(part key or "partition N", reason)]
    not_done: list = field(default_factory=list)  # partitions left for --resume
    counts: WriteCounts = field(default_factory=WriteCounts)
    seconds: float = 0.0
    run_id: int | None = None
    timings: dict = field(default_factory=dict)  # stage -> seconds, summed over scopes

    _failed_parts: set = field(default_factory=set, repr=False)

    def part_failed(self, key: str, reason: str) -> None:
        """Each part is listed once: several drainers may each try a part that fails."""
        if key not in self._failed_parts:
            self._failed_parts.add(key)
            self.failed.append((key, reason))

    @property
    def exit_code(self) -> ExitStatus:
        if self.status == RunStatus.CANCELLED:
            return ExitStatus.CANCELLED
        return ExitStatus.FAILED if self.failed or self.not_done else ExitStatus.OK

    def add(self, result: ScopeResult) -> None:
        if result.error:
            if result.scope.part_keys is None:
                self.failed.append((f"partition {result.scope.partition}", result.error))
                self.not_done.append(result.scope.partition)
            elif result.scope.part_keys:
                self.part_failed(", ".join(result.scope.part_keys), result.error)
            else:
                self.failed.append(("worker", result.error))
            return
        self.partitions_done += 1
        self.successful += result.parts
        for key, reason in result.failed:
            self.part_failed(key, reason)
        self.counts += result.counts
        for stage, seconds in result.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds


def check_workers(workers: int) -> int:
    if workers < 1 or workers > MAX_WORKERS:
        raise PartcostError(f"--workers must be between 1 and {MAX_WORKERS} (got {workers})")
    return workers


def check_partitions(partitions: int | None) -> None:
    if partitions is not None and (
        partitions < 1 or partitions > LOCK_SLOTS or partitions & (partitions - 1)
    ):
        raise PartcostError(f"--partitions must be a power of two from 1 to {LOCK_SLOTS} (got {partitions})")


def recompute_parts(dsn: str, calendar: WorkCalendar, part_keys: list) -> Summary:
    """Recompute just these parts, in this process (``--part-key``)."""
    started = time.monotonic()
    conn = connect_checked(dsn)
    try:
        _require_parts(conn, part_keys)
    finally:
        conn.close()
    worker = Worker(dsn, calendar)
    try:
        summary = Summary(partitions=1)
        summary.add(run_scope_safely(worker, Scope.keys(part_keys)))
    finally:
        worker.close()
    summary.seconds = time.monotonic() - started
    return summary


def recompute_all(
    dsn: str,
    calendar: WorkCalendar,
    workers: int,
    stop_file: Path,
    resume: bool = False,
    partitions: int | None = None,
    fork_workers: bool = False,
    on_progress: Callable[[Summary], None] = lambda s: None,
    on_notice: Callable[[str], None] = lambda m: None,
    pool: "LazyPool | None" = None,
) -> Summary:
    """A full recompute (or ``resume``: the unfinished partitions of the last one). ``fork_workers``:
    see ``WorkerPool``. ``pool``: workers the caller started already (and closes), for ``workers``
    processes with this ``calendar`` — the night starts them before migrate-tasks."""
    started = time.monotonic()
    check_workers(workers)
    check_partitions(partitions)
    check_stop_file(stop_file, on_notice)
    with ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(LazyPool(dsn, calendar, workers, fork=fork_workers))
        if fork_workers:  # forked workers must start before this process runs any polars work (WorkerPool)
            pool.start()
        conn = connect_checked(dsn)
        try:
            summary = _run(conn, dsn, pool, calendar, stop_file, resume, partitions, on_progress, on_notice)
        finally:
            conn.close()
    stop_file.unlink(missing_ok=True)
    summary.seconds = time.monotonic() - started
    return summary


class LazyPool:
    """The worker pool, started on first use: a run that finds nothing changed starts no (spawned)
    worker — spawning one costs about half a second of imports. Whoever enters it closes it; leaving
    it on an error kills the workers (WorkerPool).

    Example::

        with LazyPool(dsn, WorkCalendar.parse(), workers=2) as pool:
            pool.start()  # the workers import and connect while this process goes on
            recompute_all(dsn, calendar, 2, stop_file, pool=pool)
    """

    def __init__(self, dsn: str, calendar: WorkCalendar, workers: int, fork: bool = False):
        self.workers = workers
        self._pool = WorkerPool(dsn, calendar, workers, fork=fork)
        self._started = False

    def __enter__(self) -> "LazyPool":
        return self

    def start(self) -> WorkerPool:
        if not self._started:
            self._pool.__enter__()
            self._started = True
        return self._pool

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._started:
            self._started = False
            self._pool.__exit__(exc_type, exc, tb)

    def close(self) -> None:
        self.__exit__(None, None, None)


def _run(
    conn,
    dsn: str,
    pool: LazyPool,
    calendar: WorkCalendar,
    stop_file: Path,
    resume: bool,
    partitions: int | None,
    on_progress: Callable[[Summary], None],
    on_notice: Callable[[str], None],
) -> Summary:
    _take_run_lock(conn)
    ledger.ensure_ledger(conn)
    privileges.require(conn, privileges.LEDGER)
    run, todo = _plan(conn, calendar, partitions or _partition_count(conn, pool.workers), resume, on_notice)
    summary = Summary(partitions=run.partitions, run_id=run.id, partitions_done=run.partitions - len(todo))

    def on_result(result: ScopeResult) -> None:
        summary.add(result)
        on_progress(summary)

    with StopSignal(
        lambda: on_notice("Stopping after the partitions in flight (Ctrl-C again to abort)...")
    ) as sig:
        stop_requested = lambda: sig.requested or stop_file.exists()
        try:
            found = _unchanged_partitions(conn, dsn, pool, calendar, run, todo, summary)
            _mark_unchanged(conn, run, found, on_result)
            todo = [scope for scope in todo if scope.partition in found.changed]
            left = pool.start().run(todo, run.id, on_result, stop_requested, found.reference) if todo else []
        except BaseException as error:
            _close_run_after(conn, run, error)
            raise
    summary.not_done = sorted(summary.not_done + [scope.partition for scope in left])
    cancelled = bool(left) and stop_requested()
    summary.status = (
        RunStatus.CANCELLED
        if cancelled
        else RunStatus.FAILED
        if left or summary.failed
        else RunStatus.COMPLETE
    )
    try:
        ledger.finish_run(conn, run, summary.status)
    except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
        raise PartcostError(
            f"lost the database connection during the run ({database_error_message(error)}); "
            f"{summary.partitions_done} of {summary.partitions} partitions committed "
            f"— run `{command('recompute --resume')}` to finish",
            ExitStatus.FAILED,
        ) from None
    return summary


def _unchanged_partitions(
    conn, dsn: str, pool: LazyPool, calendar: WorkCalendar, run: ledger.Run, todo: list, summary: Summary
) -> changes.Plan:
    """The change scan (partcost.recompute.changes) over the partitions still to do, on this connection and, on a
    machine with more than one core, a second one scanning side by side. The workers start as soon as
    something is to be recomputed: at once when no partition has a record to compare with, else once the
    whole-table test has found a change."""
    records = {p: changes.Record.parse(text) for p, text in ledger.last_records(conn, run.partitions).items()}
    partitions = [scope.partition for scope in todo]
    if not any(records.get(p) for p in partitions):
        pool.start()
    operation_ct = operation_content_type(conn)
    conn.rollback()
    started = time.monotonic()
    with ExitStack() as stack:
        helpers = (
            [stack.enter_context(connection(dsn, "partcost recompute (change scan)"))]
            if (os.cpu_count() or 1) > 1
            else []
        )
        found = changes.plan(
            conn,
            run.partitions,
            partitions,
            records,
            record_context(calendar, operation_ct),
            operation_ct,
            on_partition_scan=pool.start,
            helpers=helpers,
        )
    summary.timings["changes"] = time.monotonic() - started
    return found


def _mark_unchanged(
    conn, run: ledger.Run, found: changes.Plan, on_result: Callable[[ScopeResult], None]
) -> None:
    """The partitions nothing touched are done: marked in one transaction with their rebased records."""
    for partition, record in sorted(found.unchanged.items()):
        ledger.mark_partition(conn, run.id, partition, record.part_rows, [], record.text())
    conn.commit()
    for partition, record in sorted(found.unchanged.items()):
        on_result(
            ScopeResult(
                Scope(run.partitions, partition),
                parts=record.part_rows,
                counts=WriteCounts(unchanged=record.part_rows + record.user_rows),
            )
        )


def _close_run_after(conn, run: ledger.Run, error: BaseException) -> None:
    """No run stays ``running`` in the ledger once its process has stopped, whatever stopped it; if the
    connection is gone too, the original error is what the operator needs to see."""
    try:
        conn.rollback()
        ledger.finish_run(
            conn, run, RunStatus.CANCELLED if isinstance(error, KeyboardInterrupt) else RunStatus.FAILED
        )
    except psycopg2.Error:
        pass


def check_stop_file(stop_file: Path, on_notice: Callable[[str], None]) -> None:
    if not stop_file.parent.is_dir():
        raise PartcostError(f"the stop file's directory {stop_file.parent} does not exist")
    if stop_file.exists():
        stop_file.unlink()
        on_notice(f"Removed a stale stop file {stop_file} left by an earlier run.")


def connect_checked(dsn: str):
    """A connection to a database that has what a recompute needs (privileges, tables, the content
    type, usable prices), else a PartcostError naming what it lacks."""
    conn = connect(dsn, application_name=f"partcost recompute pid={os.getpid()} host={socket.gethostname()}")
    privileges.require(conn, privileges.RECOMPUTE, temporary=True)
    schema.require(conn, schema.RECOMPUTE_TABLES)
    operation_content_type(conn)  # a missing content type is named once here, not per partition
    load_prices(conn)  # fails early, with the row named, on an unusable FX rate
    conn.rollback()
    return conn


def _require_parts(conn, part_keys: list) -> None:
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/unknown_part_keys"), {"part_keys": part_keys})
        unknown = [key for (key,) in cur.fetchall()]
    conn.rollback()
    if unknown:
        raise PartcostError(f"no part with key {', '.join(map(repr, unknown))} in tasks_part (--part-key)")


def _take_run_lock(conn) -> None:
    keys = {"key1": RUN_LOCK[0], "key2": RUN_LOCK[1]}
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/run_lock_take"), keys)
        if cur.fetchone()[0]:
            conn.commit()
            return
        cur.execute(sql_file("recompute/run_lock_holder"), keys)
        holder = cur.fetchone()
    conn.rollback()
    who = (
        f"'{holder[1]}' (server pid {holder[0]}, from {holder[2] or 'local socket'}, since {holder[3]:%Y-%m-%d %H:%M:%S %Z})"
        if holder
        else "another session"
    )
    raise PartcostError(
        f"another full recompute is already running on this database: {who}; "
        f"wait for it, or stop it with `{command('stop')}`"
    )


def _plan(conn, calendar: WorkCalendar, partitions: int, resume: bool, on_notice) -> tuple:
    """The run to work on and its partitions still to do."""
    if resume:
        run = ledger.unfinished_run(conn)
        if run is None:
            raise PartcostError("nothing to resume: the last full recompute completed (or none ran)")
        if run.options != _options(calendar):
            raise PartcostError(
                f"the run to resume used {run.options}; resume with the same --timezone/--work-window"
            )
        done = ledger.committed_partitions(conn, run)
        on_notice(f"Resuming run {run.id}: {len(done)}/{run.partitions} partitions already committed.")
    else:
        run = ledger.start_run(conn, partitions, _options(calendar))
        done = set()
    return run, [Scope(run.partitions, p) for p in range(run.partitions) if p not in done]


def _options(calendar: WorkCalendar) -> dict:
    return {
        "timezone": calendar.timezone,
        "work_window": f"{calendar.window_start:%H:%M}-{calendar.window_end:%H:%M}",
    }


def _partition_count(conn, workers: int) -> int:
    """A power of two (so partitions map onto lock slots) giving every worker at least two
    partitions and no partition more than TIMERS_PER_PARTITION timers."""
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/timer_count_estimate"))
        estimate = cur.fetchone()[0]
    conn.rollback()
    wanted = max(2 * workers, math.ceil(estimate / TIMERS_PER_PARTITION), 1)
    return min(LOCK_SLOTS, 1 << (wanted - 1).bit_length())
