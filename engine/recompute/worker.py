"""One unit of recompute work: load a scope of parts, compute their costs, write what changed —
all in one transaction, so a part's per-part and per-user rows always change together.

A ``Worker`` holds one connection and the small tables every scope needs (wages, FX, user ids, see
``partcost.recompute.snapshot``); the process pool gives each process its own, and ``--part-key`` and the queue
drainer use one inline. Invariant: every scope is computed from prices and users at least as new as its
own read of the timers — a worker that runs for days (a drainer) loads them again when they change."""

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field

import polars as pl
from psycopg2 import sql

from partcost.db.connections import connect, connection
from partcost.db.references import ReferenceChecks, rows_by_tid
from partcost.db.schema import COST_TABLES, QUEUE_TABLE
from partcost.db.sql_files import sql_file
from partcost.recompute import ledger
from partcost.recompute.changes import Record, Reference, loaded_rows_written_since
from partcost.recompute.compute import compute_costs
from partcost.recompute.load import load_cost_rows, load_parts, load_timers, operation_content_type
from partcost.recompute.scope import LOCK_NAMESPACE, Scope
from partcost.recompute.snapshot import PriceSnapshot, load_snapshot, prices_unchanged
from partcost.recompute.split import WorkCalendar
from partcost.recompute.write import WriteCounts, verify_written, write_cost_rows

# Part of every partition's record (partcost.recompute.changes): change it whenever the computation
# changes, so that no partition is skipped on the strength of a record made by the old computation.
COMPUTATION_VERSION = "partcost-costing-1"
# The tables a scope's transaction deletes from (the queue: when the drainer dequeues its parts), and
# every table it writes.
DELETED_FROM = COST_TABLES + (QUEUE_TABLE,)
WRITTEN_TABLES = DELETED_FROM + (ledger.PARTITION_TABLE,)


@dataclass
class ScopeResult:
    scope: Scope
    parts: int = 0  # parts whose rows now match their timers
    failed: list = field(default_factory=list)  # [(part key, reason)]
    counts: WriteCounts = field(default_factory=WriteCounts)
    seconds: float = 0.0
    error: str | None = None  # the whole scope rolled back, with this reason
    timings: dict = field(default_factory=dict)  # stage -> seconds, for `bench` and tuning


class Stopwatch:
    """Accumulates wall time per named stage: ``with watch("load"): ...``."""

    def __init__(self):
        self.timings = {}

    @contextmanager
    def __call__(self, stage: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.monotonic() - started


class Worker:
    def __init__(
        self,
        dsn: str,
        calendar: WorkCalendar,
        application_name: str = "partcost recompute",
        connecting: AbstractContextManager | None = None,
    ):
        """``connecting``: held while the connection is made (partcost.recompute.pool.in_turn)."""
        self.dsn, self.application_name = dsn, application_name
        with connecting or nullcontext():
            self.conn = connect(dsn, application_name)
        self.calendar = calendar
        self.operation_ct = operation_content_type(self.conn)
        self.conn.commit()
        self.snapshot: PriceSnapshot = load_snapshot(self.conn)
        self._checks: ReferenceChecks | None = None
        self._inserted_parts: list = []  # the part keys of the rows the scope in hand inserted

    @property
    def context(self) -> str:
        return record_context(self.calendar, self.operation_ct)

    def close(self) -> None:
        self.conn.close()

    @property
    def checks(self) -> ReferenceChecks:
        """Made on first use: by then a full run has created its ledger, whose keys are checked too."""
        if self._checks is None:
            self._checks = ReferenceChecks(self.conn, WRITTEN_TABLES, deletes_from=DELETED_FROM)
        return self._checks

    def refresh_prices(self) -> None:
        """Make the held prices at least as new as everything this transaction has read so far: if
        the price tables differ from them now, load them again in a snapshot taken after this check
        (on a second connection, as this one is inside the scope's transaction)."""
        if prices_unchanged(self.conn, self.snapshot.seen):
            return
        with connection(self.dsn, f"{self.application_name} (prices)") as other:
            self.snapshot = load_snapshot(other)

    def recompute(
        self,
        scope: Scope,
        run_id: int | None = None,
        before_commit: Callable | None = None,
        reference: Reference | None = None,
    ) -> ScopeResult:
        """Recompute one scope in one transaction; ``before_commit(conn, result)`` may add to it (the
        queue). With a ``run_id`` the partition is marked in that full run's ledger, and with the run's
        ``reference`` (partcost.recompute.changes) it records what its rows were computed from, so that a later
        run can skip it while nothing changes."""
        started, watch = time.monotonic(), Stopwatch()
        try:
            with self.conn.cursor() as cur:
                self.checks.switch_triggers_off(cur)
            result = self._recompute(scope, run_id, watch, reference)
            if before_commit is not None:
                before_commit(self.conn, result)
            with watch("references"):
                self._check_references(result)
            with watch("commit"):
                self.conn.commit()
        except BaseException:
            if not self.conn.closed:  # a lost connection has nothing to roll back, and its error says why
                self.conn.rollback()
            raise
        result.seconds, result.timings = time.monotonic() - started, watch.timings
        return result

    def _recompute(
        self, scope: Scope, run_id: int | None, watch: Stopwatch, reference: Reference | None
    ) -> ScopeResult:
        with watch("lock"):
            self._lock(scope)
            self.refresh_prices()
        with watch("load"):
            timers = load_timers(self.conn, self.operation_ct, scope)
            parts = load_parts(self.conn, scope)
            self.refresh_prices()
        with watch("compute"):
            part_rows, user_rows, failed = compute_costs(
                timers, parts, self.snapshot.prices, self.calendar, self.snapshot.known_users
            )
        with watch("load stored"):
            stored_parts, stored_users = load_cost_rows(self.conn, scope)
        with watch("write"):
            written = write_cost_rows(self.conn, part_rows, user_rows, stored_parts, stored_users, failed)
            results = verify_written(self.conn, scope.params(), written.expected)
        self._inserted_parts = written.inserted_parts
        failed_list = failed.rows()
        if run_id is not None:
            record = (
                None if failed_list or reference is None else self._record(reference, timers, parts, results)
            )
            ledger.mark_partition(self.conn, run_id, scope.partition, part_rows.height, failed_list, record)
        return ScopeResult(scope, parts=part_rows.height, failed=failed_list, counts=written.counts)

    def _record(
        self, reference: Reference, timers: pl.DataFrame, parts: pl.DataFrame, results: tuple
    ) -> str | None:
        """The partition's record (partcost.recompute.changes), or None — recompute it next time — when a loaded
        row was written since the reference snapshot (the inputs changed while the run ran, so they
        need not be the reference's). ``results``: verify_written's figures of the rows it left."""
        with self.conn.cursor() as cur:
            cur.execute("SELECT txid_current(), txid_snapshot_xmax(txid_current_snapshot())")
            own, after_load = cur.fetchone() or (None, None)
        written_since = loaded_rows_written_since(
            (timers["timer_xmin"], timers["operation_xmin"], parts["part_xmin"]), reference.since, after_load
        )
        if written_since != 0:
            return None
        return Record(
            self.context,
            reference,
            timers.height,
            parts.height,
            results[0],
            results[2],
            (own,),
            self.snapshot.seen,
        ).text()

    def _check_references(self, result: ScopeResult) -> None:
        """Rows updated in place keep their keys, so only inserted rows need their references checked:
        they are looked up by their parts' keys (a few per partition), not found by scanning the
        whole table once per partition."""
        keys = sql.SQL("{}::text[]").format(sql.Literal(array_text(self._inserted_parts)))
        with self.conn.cursor() as cur:
            for table in COST_TABLES if result.counts.inserted else ():
                self.checks.check(
                    cur, table, rows=rows_by_tid(table, sql.SQL("part_id = ANY({})").format(keys))
                )
            self.checks.check(cur, ledger.PARTITION_TABLE)

    def _lock(self, scope: Scope) -> None:
        with self.conn.cursor() as cur:
            if scope.part_keys is None:
                slots = scope.lock_slots()
            else:
                cur.execute(sql_file("recompute/part_slots"), {"part_keys": list(scope.part_keys)})
                slots = [row[0] for row in cur.fetchall()]
            cur.execute(sql_file("recompute/lock_part_slots"), {"namespace": LOCK_NAMESPACE, "slots": slots})


def array_text(values: list) -> str:
    """A text[] literal of ``values`` in one constant ('{"a","b"}'): as ARRAY['a', 'b', …] each element
    is an expression of its own, and parsing 30,000 of them costs more than the lookups they are for."""
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def record_context(calendar: WorkCalendar, operation_ct: int) -> str:
    """What besides a partition's rows and prices decides its cost rows: the computation, the calendar
    and the operation content type."""
    return " ".join(
        (
            COMPUTATION_VERSION,
            calendar.timezone,
            f"{calendar.window_start}",
            f"{calendar.window_end}",
            str(operation_ct),
        )
    )
