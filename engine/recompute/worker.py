"""One unit of recompute work: load a scope of parts, compute their costs, write what changed —
all in one transaction, so a part's per-part and per-user rows always change together.

A ``Worker`` holds one connection and the small tables every scope needs (wages, FX, user ids, see
``partcost.recompute.snapshot``); the process pool gives each process its own, and ``--part-key`` and the queue
drainer use one inline. Invariant: every scope is computed from prices and users at least as new as its
own read of the timers — a worker that runs for days (a drainer) loads them again when they change."""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Optional

import polars as pl

from partcost.recompute import ledger
from partcost.recompute.aggregate import aggregate, as_stored, unwritable_parts
from partcost.db.connections import connect, connection
from partcost.db.sql_files import sql_file
from partcost.recompute.scope import Scope
from partcost.recompute.load import load_cost_rows, load_parts, load_timers, operation_content_type
from partcost.recompute.price import Prices, attach_prices
from partcost.db.references import ReferenceChecks
from partcost.db.schema import COST_TABLES, QUEUE_TABLE
from partcost.recompute.snapshot import PriceSnapshot, current_fingerprint, load_snapshot
from partcost.recompute.split import WorkCalendar, split_timers, unsplittable_timers
from partcost.recompute.scope import LOCK_NAMESPACE
from partcost.recompute.fingerprint import Fingerprint
from partcost.recompute.compute import compute_costs
from partcost.recompute.write import WriteCounts, results_figures, verify_written, write_cost_rows

# Part of every partition fingerprint: change it whenever the computation changes, so that no
# partition is skipped on the strength of a fingerprint recorded by the old computation.
COMPUTATION_VERSION = "partcost-costing-1"
# The tables a scope's transaction deletes from (the queue: when the drainer dequeues its parts), and
# every table it writes.
DELETED_FROM = COST_TABLES + (QUEUE_TABLE,)
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


class Worker:
    def __init__(self, dsn: str, calendar: WorkCalendar, application_name: str = "partcost recompute"):
        self.dsn, self.application_name = dsn, application_name
        self.conn = connect(dsn, application_name)
        self.calendar = calendar
        self.operation_ct = operation_content_type(self.conn)
        self.conn.commit()
        self.snapshot: PriceSnapshot = load_snapshot(self.conn)
        self._checks: Optional[ReferenceChecks] = None

    @property
    def context(self) -> str:
        """What besides a partition's own rows decides them: the computation, the calendar, the
        content type, and the whole-database inputs its costs are computed from."""
        return " ".join((COMPUTATION_VERSION, self.calendar.timezone, f"{self.calendar.window_start}",
                         f"{self.calendar.window_end}", str(self.operation_ct), self.snapshot.fingerprint))

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
        if current_fingerprint(self.conn) == self.snapshot.fingerprint:
            return
        with connection(self.dsn, f"{self.application_name} (prices)") as other:
            self.snapshot = load_snapshot(other)

    def recompute(self, scope: Scope, run_id: Optional[int] = None,
                  before_commit: Optional[Callable] = None) -> ScopeResult:
        """Recompute one scope in one transaction; ``before_commit(conn, result)`` may add to it (the
        queue)."""
        started, watch = time.monotonic(), Stopwatch()
        try:
            with self.conn.cursor() as cur:
                self.checks.switch_triggers_off(cur)
            result = self._recompute(scope, run_id, watch)
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

    def _recompute(self, scope: Scope, run_id: Optional[int], watch: Stopwatch) -> ScopeResult:
        with watch("lock"):
            self._lock(scope)
            self.refresh_prices()
        if run_id is not None:
            with watch("fingerprint"):
                unchanged = self._unchanged_since_last_run(scope)
            if unchanged:
                ledger.mark_partition(self.conn, run_id, scope.partition, unchanged.part_rows, [],
                                      unchanged.text(self.context))
                return ScopeResult(scope, parts=unchanged.part_rows,
                                   counts=WriteCounts(unchanged=unchanged.part_rows + unchanged.user_rows))
        with watch("load"):
            timers = load_timers(self.conn, self.operation_ct, scope)
            parts = load_parts(self.conn, scope)
            self.refresh_prices()
        inputs = Fingerprint.of_loaded(timers, parts)
        with watch("compute"):
            part_rows, user_rows, failed = compute_costs(timers, parts, self.snapshot.prices, self.calendar,
                                                         self.snapshot.known_users)
        with watch("load stored"):
            stored_parts, stored_users = load_cost_rows(self.conn, scope)
        with watch("write"):
            written = write_cost_rows(self.conn, part_rows, user_rows, stored_parts, stored_users, failed)
            results = verify_written(self.conn, scope.params(), written.expected)
        failed_list = failed.rows()
        if run_id is not None:
            fingerprint = None if failed_list else inputs.with_results(results).text(self.context)
            ledger.mark_partition(self.conn, run_id, scope.partition, part_rows.height, failed_list, fingerprint)
        return ScopeResult(scope, parts=part_rows.height, failed=failed_list, counts=written.counts)

    def _check_references(self, result: ScopeResult) -> None:
        """Rows updated in place keep their keys, so only inserted rows need their references checked."""
        with self.conn.cursor() as cur:
            for table in (COST_TABLES if result.counts.inserted else ()) + (ledger.PARTITION_TABLE,):
                self.checks.check(cur, table)

    def _unchanged_since_last_run(self, scope: Scope) -> Optional[Fingerprint]:
        """The partition's fingerprint if it equals the one the last run recorded: then nothing its
        rows depend on, nor the rows themselves, changed, and a recompute would write them again."""
        recorded = ledger.last_fingerprint(self.conn, scope.partitions, scope.partition)
        results = self._results(scope)
        if recorded is None or not recorded.endswith(f" | {Fingerprint((), *results).results_text}"):
            return None  # the cheap half differs already: no need to read the timers
        with self.conn.cursor() as cur:
            cur.execute(sql_file("recompute/inputs_fingerprint"), {**scope.params(), "operation_ct": self.operation_ct})
            fingerprint = Fingerprint(cur.fetchone(), *results)
        return fingerprint if fingerprint.text(self.context) == recorded else None

    def _results(self, scope: Scope) -> tuple:
        return results_figures(self.conn, scope.params())

    def _lock(self, scope: Scope) -> None:
        with self.conn.cursor() as cur:
            if scope.part_keys is None:
                slots = scope.lock_slots()
            else:
                cur.execute(sql_file("recompute/part_slots"), {"part_keys": list(scope.part_keys)})
                slots = [row[0] for row in cur.fetchall()]
            cur.execute(sql_file("recompute/lock_part_slots"), {"namespace": LOCK_NAMESPACE, "slots": slots})
