"""One unit of recompute work: load a scope of parts, compute their costs, write what changed —
all in one transaction, so a part's per-part and per-user rows always change together.

A ``Worker`` holds one connection and the small tables every scope needs (wages, FX, user ids, see
``engine.snapshot``); the process pool gives each process its own, and ``--part-key`` and the queue
drainer use one inline. Invariant: every scope is computed from prices and users at least as new as its
own read of the timers — a worker that runs for days (a drainer) loads them again when they change."""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Optional

import polars as pl
from psycopg2 import sql

from engine import ledger
from engine.aggregate import aggregate, as_stored, unwritable_parts
from engine.changes import Record, Reference, loaded_rows_written_since
from engine.db import connect, connection, sql_file
from engine.load import Scope, load_cost_rows, load_parts, load_timers, operation_content_type
from engine.price import Prices, attach_prices
from engine.references import ReferenceChecks, rows_by_tid
from engine.snapshot import PriceSnapshot, load_snapshot, prices_unchanged
from engine.split import WorkCalendar, split_timers, unsplittable_timers
from engine.write import WriteCounts, verify_written, write_cost_rows

LOCK_NAMESPACE = 1885434484  # 'part' — the slot locks of sql/lock_part_slots.sql
# Part of every partition's record (engine/changes.py): change it whenever the computation changes, so
# that no partition is skipped on the strength of a record made by the old computation.
COMPUTATION_VERSION = "partcost-costing-1"
COST_TABLES = ("tasks_partcostagg", "tasks_partcostaguser")
# The tables a scope's transaction deletes from (the queue: when the drainer dequeues its parts), and
# every table it writes.
DELETED_FROM = COST_TABLES + ("tasks_partcostrecalcqueue",)
WRITTEN_TABLES = DELETED_FROM + (ledger.PARTITION_TABLE,)


@dataclass
class ScopeResult:
    scope: Scope
    parts: int = 0                                   # parts whose rows now match their timers
    failed: list = field(default_factory=list)       # [(part key, reason)]
    counts: WriteCounts = field(default_factory=WriteCounts)
    seconds: float = 0.0
    error: Optional[str] = None                      # the whole scope rolled back, with this reason
    timings: dict = field(default_factory=dict)      # stage -> seconds, for `bench` and tuning


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


def compute_costs(timers: pl.DataFrame, parts: pl.DataFrame, prices: Prices, calendar: WorkCalendar,
                  known_users: pl.Series) -> tuple:
    """Pure computation: (part rows, user rows, failed parts) for the given timers (part_id, timer_id,
    user_id, start_ms, finish_ms). A part with a timer the calendar cannot split fails alone, before
    the split, and the other parts are costed. Parts are carried as integer codes ``p`` until the
    end: grouping on integers is much faster than on keys."""
    parts = parts.with_row_index("p")
    timers = timers.join(parts.select("part_id", "p"), on="part_id").drop("part_id")
    unsplittable = unsplittable_timers(timers)
    timers = timers.join(unsplittable, on="p", how="anti")
    costed_parts = parts.join(timers.select("p").unique(), on="p", how="semi")
    priced = attach_prices(split_timers(timers, calendar), prices)
    part_rows, user_rows = aggregate(priced, prices, costed_parts)
    failed = pl.concat([parts.join(unsplittable, on="p").select("part_id", "reason"),
                        unwritable_parts(part_rows, user_rows, known_users)])
    keep = lambda rows: as_stored(rows.join(failed, on="part_id", how="anti"))
    return keep(part_rows), keep(user_rows), failed


class Worker:
    def __init__(self, dsn: str, calendar: WorkCalendar, application_name: str = "partcost recompute"):
        self.dsn, self.application_name = dsn, application_name
        self.conn = connect(dsn, application_name)
        self.calendar = calendar
        self.operation_ct = operation_content_type(self.conn)
        self.conn.commit()
        self.snapshot: PriceSnapshot = load_snapshot(self.conn)
        self._checks = None
        self._inserted_parts: list = []   # the part keys of the rows the scope in hand inserted

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

    def recompute(self, scope: Scope, run_id: Optional[int] = None,
                  before_commit: Optional[Callable] = None, reference: Optional[Reference] = None) -> ScopeResult:
        """Recompute one scope in one transaction; ``before_commit(conn, result)`` may add to it (the
        queue). With a ``run_id`` the partition is marked in that full run's ledger, and with the run's
        ``reference`` (engine/changes.py) it records what its rows were computed from, so that a later
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

    def _recompute(self, scope: Scope, run_id: Optional[int], watch: Stopwatch,
                   reference: Optional[Reference]) -> ScopeResult:
        with watch("lock"):
            self._lock(scope)
            self.refresh_prices()
        with watch("load"):
            timers = load_timers(self.conn, self.operation_ct, scope)
            parts = load_parts(self.conn, scope)
            self.refresh_prices()
        with watch("compute"):
            part_rows, user_rows, failed = compute_costs(timers, parts, self.snapshot.prices, self.calendar,
                                                         self.snapshot.known_users)
        with watch("load stored"):
            stored_parts, stored_users = load_cost_rows(self.conn, scope)
        with watch("write"):
            written = write_cost_rows(self.conn, part_rows, user_rows, stored_parts, stored_users, failed)
            results = verify_written(self.conn, scope.params(), written.expected)
        self._inserted_parts = _inserted_parts(part_rows, user_rows, stored_parts, stored_users, written.counts)
        failed_list = failed.rows()
        if run_id is not None:
            record = None if failed_list or reference is None else self._record(reference, timers, parts, results)
            ledger.mark_partition(self.conn, run_id, scope.partition, part_rows.height, failed_list, record)
        return ScopeResult(scope, parts=part_rows.height, failed=failed_list, counts=written.counts)

    def _record(self, reference: Reference, timers: pl.DataFrame, parts: pl.DataFrame, results: tuple) -> Optional[str]:
        """The partition's record (engine/changes.py), or None — recompute it next time — when a loaded
        row was written since the reference snapshot (the inputs changed while the run ran, so they
        need not be the reference's). ``results``: verify_written's figures of the rows it left."""
        with self.conn.cursor() as cur:
            cur.execute("SELECT txid_current(), txid_snapshot_xmax(txid_current_snapshot())")
            own, after_load = cur.fetchone()
        written_since = loaded_rows_written_since(
            (timers["timer_xmin"], timers["operation_xmin"], parts["part_xmin"]), reference.since, after_load)
        if written_since != 0:
            return None
        return Record(self.context, reference, timers.height, parts.height, results[0], results[2], (own,),
                      self.snapshot.seen).text()

    def _check_references(self, result: ScopeResult) -> None:
        """Rows updated in place keep their keys, so only inserted rows need their references checked:
        they are looked up by their parts' keys (a few per partition), not found by scanning the
        whole table once per partition."""
        keys = sql.SQL("{}::text[]").format(sql.Literal(array_text(self._inserted_parts)))
        with self.conn.cursor() as cur:
            for table in (COST_TABLES if result.counts.inserted else ()):
                self.checks.check(cur, table, rows=rows_by_tid(table, sql.SQL("part_id = ANY({})").format(keys)))
            self.checks.check(cur, ledger.PARTITION_TABLE)

    def _lock(self, scope: Scope) -> None:
        with self.conn.cursor() as cur:
            if scope.part_keys is None:
                slots = scope.lock_slots()
            else:
                cur.execute(sql_file("part_slots"), {"part_keys": list(scope.part_keys)})
                slots = [row[0] for row in cur.fetchall()]
            cur.execute(sql_file("lock_part_slots"), {"namespace": LOCK_NAMESPACE, "slots": slots})


def _inserted_parts(part_rows: pl.DataFrame, user_rows: pl.DataFrame, stored_parts: pl.DataFrame,
                    stored_users: pl.DataFrame, counts: WriteCounts) -> list:
    """The parts whose cost rows the write inserted: computed rows without a stored row of the same key
    (what write_cost_rows inserts; README: new rows are COPied in, changed rows updated in place). Should
    that ever count otherwise than the write did, every part computed (each written row is one of them)."""
    new_parts = part_rows.join(stored_parts, on="part_id", how="anti")
    new_users = user_rows.join(stored_users, on=["part_id", "user_id"], how="anti")
    if new_parts.height + new_users.height != counts.inserted:
        return part_rows["part_id"].to_list()
    return pl.concat([new_parts["part_id"], new_users["part_id"]]).unique().to_list()


def array_text(values: list) -> str:
    """A text[] literal of ``values`` in one constant ('{"a","b"}'): as ARRAY['a', 'b', …] each element
    is an expression of its own, and parsing 30,000 of them costs more than the lookups they are for."""
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def record_context(calendar: WorkCalendar, operation_ct: int) -> str:
    """What besides a partition's rows and prices decides its cost rows: the computation, the calendar
    and the operation content type."""
    return " ".join((COMPUTATION_VERSION, calendar.timezone, f"{calendar.window_start}", f"{calendar.window_end}",
                     str(operation_ct)))
