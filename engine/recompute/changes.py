"""What changed since a full recompute last wrote or checked a partition — exactly, so that a re-run
skips only partitions nothing touched, and the nightly re-run of an unchanged database reads each
table once instead of once per partition.

**What a partition records.** When a partition commits, its ledger row records (:class:`Record`) how
many rows its cost rows were computed from and how many cost rows it left — finished timers on
operations (joined to their operation), parts, per-part and per-user cost rows — the 64-bit ids of
the transactions that wrote those cost rows (its own), the wage/FX/user snapshot its costs were
priced with (:class:`PricesSeen`), and the *reference*: a snapshot the run's parent took before any
partition read anything (:class:`Reference`: its oldest running transaction and the row count of every
input table in it). A record is only written when the partition's loaded rows contain no row written
in or after the reference's window (see "Why a partition's record describes the reference"), and never
for a partition with failed parts.

**The test.** A later scan, in one REPEATABLE READ snapshot *B*, asks for every table: how many rows
are visible, and how many of them were written by a transaction whose id is at least the reference's
``since`` (the oldest transaction still running when the reference snapshot was taken) — apart from
the partition's own cost-row writes. A partition is unchanged when its counts are the recorded ones
and no such row exists.

**Why no change can be hidden.** Let *S* be a snapshot taken earlier than *B*, and ``since`` the
oldest transaction running at *S*. Take any row *t* visible to *B* whose inserting transaction *X*
is older than ``since``. *X* had ended before *S* was taken, and as *t* is visible it committed: *t*
existed at *S*. Its deleter, if any, is not visible to *B*; had it been visible to *S* (committed
before *S*) it would be visible to the later *B* too. So *t* was visible to *S*. Hence if no row
visible to *B* was written by a transaction ``>= since``, the rows of *B* are a subset of those of *S*,
and with the same count they are the same rows. A row version's values never change in place (an
UPDATE writes a new version with the writer's id), so the same rows are the same values. Each usual
doubt, answered:

- *A transaction in flight at the last snapshot* that commits later: its id is ``>= since`` (the
  window starts at the oldest running transaction, not at the snapshot's next id), so its rows count
  as written in the window. Subtransactions' ids are larger than their parent's.
- *Delete + insert*, any number of each: an inserted row is written by a transaction ``>= since``
  (it committed after *S*, so it did not end before *S*); a deleted one lowers the count. No sum is
  involved, so no two changes can cancel out.
- *Wraparound.* ``xmin`` holds 32 bits. The window is measured with ``age(xmin)`` against
  ``age(since)`` in the scan's own transaction, where ``age(x)`` is the 32-bit distance from the next
  transaction id *N* (fixed for the transaction; ``age`` is parallel-restricted, so only the leader
  computes it). The scan proceeds only when the 64-bit distance *L* from ``since`` to *B*'s xmax is
  below 2**30 and ``L <= age(since) < 2**30``; as PostgreSQL stops assigning ids before *N* runs
  2**31 ahead of the oldest unfrozen one (which is older than *B*), ``age(since)`` is then exactly
  *N − since*, and every row written by a transaction in [``since``, *N*) has ``age(xmin) <=
  age(since)``. An old row whose 32-bit id aliases into the window only counts as changed. A window
  of 2**30 transactions or more (a record from long ago) counts everything as changed.
- *Freezing* keeps the raw ``xmin`` (PostgreSQL 9.4 and later set a flag), which is what the
  ``xmin`` column shows; ``age`` of such a row is measured like any other, so a frozen row either
  stays outside the window (it is old) or counts as changed. Rows with the special id 2 (frozen by a
  PostgreSQL before 9.4) have ``age`` 2**31-1: old, as they are.
- *VACUUM FULL, CLUSTER* move rows without changing them or their ``xmin``: unchanged, correctly.
  *TRUNCATE* and rewriting ALTER TABLEs write new row versions (new ``xmin``) or lower the count.

A false "changed" is always possible (old aliasing ids, a long-running transaction holding
``since`` back) and only costs a recompute of that partition.

**Why a partition's record describes the reference.** A partition's worker loads its rows in later
snapshots than the reference *R*. If none of the loaded rows was written by a transaction ``>=
R.since`` (checked on the loaded ``xmin`` columns, against an upper bound taken after the load), then
every loaded row was visible to *R* (the argument above, with the load in the place of *B*), and every
row of the partition visible to *R* and still visible later was visible to the load too; so when a
later scan finds the tables equal to *R*, the partition's inputs are exactly what it loaded. Its cost
rows are compared with what the worker left (its write was proven in ``verify_written``): those
written by its own transaction are allowed in the window, every other row must be older than
``since``. Prices are compared with the snapshot they were loaded in, the same way.

**The nightly re-run.** When every partition's record shares the same reference and the whole
tables — timers, operations, parts, wages, FX, the two cost tables — have exactly the reference's
(or the records' summed) counts and no row written in the window, every partition is unchanged,
without grouping anything by partition and without starting a worker. Otherwise the tables that
changed are scanned once more, grouped by partition (one pass each, not one per partition), and only
the partitions that differ are recomputed. Either way the partitions found unchanged get their record
again, rebased on this scan's snapshot — which is exactly as old as what it was compared with."""

import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

import polars as pl
from psycopg2 import sql

from partcost.db.sql_files import sql_file

FORMAT = "partcost-settled-1"
WINDOW_LIMIT = 1 << 30  # a reference further back than this many transactions is never compared
XID_SPAN = 1 << 32
INPUT_TABLES = ("tasks_timer", "tasks_operation", "tasks_part")
PRICE_TABLES = ("users_wagerate", "core_currencyratesnapshot")
COST_TABLES = ("tasks_partcostagg", "tasks_partcostaguser")
PARTITION_KEY = {"tasks_part": "key", "tasks_partcostagg": "part_id", "tasks_partcostaguser": "part_id"}


@dataclass(frozen=True)
class Reference:
    """A snapshot a run's parent took before its partitions read anything: ``since`` is its oldest
    running transaction (64-bit id), ``tables`` the row count of every input and price table in it."""

    since: int
    tables: dict[str, int]


@dataclass(frozen=True)
class PricesSeen:
    """The wage/FX/user snapshot a partition's costs were priced with: its oldest running transaction,
    the row counts of wages and FX, and the digest of the user ids (changes_users.sql)."""

    since: int
    wages: int
    fx: int
    users: str


@dataclass(frozen=True)
class Record:
    """What one partition's stored cost rows were computed from, relative to ``reference``."""

    context: str
    reference: Reference
    timers: int
    parts: int
    part_rows: int
    user_rows: int
    own: tuple[int, ...]
    prices: PricesSeen

    def text(self) -> str:
        return f"{FORMAT} {json.dumps(asdict(self), sort_keys=True, separators=(',', ':'))}"

    @classmethod
    def parse(cls, text: str | None) -> Optional["Record"]:
        """None for no record, one of an older format, or one that does not parse: the partition then
        counts as changed."""
        if not text or not text.startswith(FORMAT + " "):
            return None
        try:
            data = json.loads(text[len(FORMAT) + 1 :])
            return cls(
                data["context"],
                Reference(
                    int(data["reference"]["since"]),
                    {k: int(v) for k, v in data["reference"]["tables"].items()},
                ),
                int(data["timers"]),
                int(data["parts"]),
                int(data["part_rows"]),
                int(data["user_rows"]),
                tuple(int(x) for x in data["own"]),
                PricesSeen(**data["prices"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def window(length: int | None, age_since: int | None) -> int | None:
    """The age(xmin) bound of rows written since the reference, or None when the reference cannot be
    compared (see the module docstring: too far back, or an id age() does not measure)."""
    if length is None or age_since is None or not 0 <= length < WINDOW_LIMIT:
        return None
    return age_since if length <= age_since < WINDOW_LIMIT else None


def short_ids(ids: Iterable[int]) -> list[str]:
    """64-bit transaction ids as the 32-bit ``xid`` values rows carry in ``xmin`` (as text)."""
    return sorted({str(x % XID_SPAN) for x in ids})


def loaded_rows_written_since(columns: Iterable[pl.Series], since: int, upper: int) -> int | None:
    """How many of the loaded 32-bit ``xmin`` values fall in [since, upper) (64-bit ids; ``upper`` an
    xmax taken after the load, so every loaded row's writer is below it); None when the window is too
    long to tell."""
    length = upper - since
    if not 0 <= length < WINDOW_LIMIT:
        return None
    start = since % XID_SPAN
    return sum(
        int((((column - start) % XID_SPAN + XID_SPAN) % XID_SPAN < length).sum()) for column in columns
    )


class Scan:
    """REPEATABLE READ, read-only transactions that all see one snapshot: ``conn``'s, exported to the
    ``helpers`` (other connections: the tables are then scanned side by side, one statement per
    connection at a time). ``since``: the reference to compare with (None: only count).

    Each connection measures the window against its own ``age()`` (the next transaction id it saw
    first), so each has its own bound; the scan is comparable only when every one is."""

    def __init__(self, conn, since: int | None, helpers: Sequence = ()):
        self.since = since
        self.sessions = [conn, *helpers]
        self.bounds: list = []
        with conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            self.xmin, _ = self._window(cur)
            snapshot = None
            if helpers:
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
        for helper in helpers:
            with helper.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur.execute("SET TRANSACTION SNAPSHOT %s", (snapshot,))
                self._window(cur)

    def _window(self, cur) -> tuple[int, int]:
        cur.execute(sql_file("recompute/changes_window"), {"since": self.since})
        xmin, xmax, age_since = cur.fetchone()
        self.bounds.append(None if self.since is None else window(xmax - self.since, age_since))
        return xmin, xmax

    @property
    def comparable(self) -> bool:
        return all(bound is not None for bound in self.bounds)

    def run(self, jobs: list[tuple[float, Callable]]) -> list:
        """Each ``(weight, job)``'s ``job(cursor, params)`` result, in order, the jobs shared out over
        the connections by weight (the heaviest first, each to the least loaded connection)."""
        if len(self.sessions) == 1:
            return [self._job(0, job) for _, job in jobs]
        shares: list[list] = [[] for _ in self.sessions]
        loads = [0.0] * len(self.sessions)
        for index in sorted(range(len(jobs)), key=lambda i: -jobs[i][0]):
            least = loads.index(min(loads))
            shares[least].append(index)
            loads[least] += jobs[index][0]
        results = [None] * len(jobs)

        def work(session: int) -> None:
            for index in shares[session]:
                results[index] = self._job(session, jobs[index][1])

        with ThreadPoolExecutor(len(self.sessions)) as threads:
            for future in [threads.submit(work, session) for session in range(len(self.sessions))]:
                future.result()
        return results

    def _job(self, session: int, job: Callable):
        bound = self.bounds[session]
        with self.sessions[session].cursor() as cur:
            return job(
                cur,
                lambda own=(), **more: {
                    "window": -1 if bound is None else bound,
                    "own": short_ids(own),
                    **more,
                },
            )

    @staticmethod
    def table(table: str, own: Iterable[int] = ()) -> Callable:
        """A job: (rows, rows written in the window other than by ``own``) of a whole table."""

        def job(cur, params):
            cur.execute(
                sql.SQL(sql_file("recompute/changes_table")).format(table=sql.Identifier(table)), params(own)
            )
            return cur.fetchone()

        return job

    @staticmethod
    def partitions(table: str, partitions: int, own: Iterable[int] = ()) -> Callable:
        """A job: {partition: (rows, rows written in the window)} of a table partitioned by its part key."""

        def job(cur, params):
            cur.execute(
                sql.SQL(sql_file("recompute/changes_partitions")).format(
                    table=sql.Identifier(table), key=sql.Identifier(PARTITION_KEY[table])
                ),
                params(own, partitions=partitions),
            )
            return {p: (rows, new) for p, rows, new in cur.fetchall()}

        return job

    @staticmethod
    def timer_partitions(partitions: int, operation_ct: int) -> Callable:
        """A job: as ``partitions`` for the timers load_timers.sql loads, joined to their operations."""

        def job(cur, params):
            cur.execute(
                sql_file("recompute/changes_timer_partitions"),
                params(partitions=partitions, operation_ct=operation_ct),
            )
            return {p: (rows, new) for p, rows, new in cur.fetchall()}

        return job

    @staticmethod
    def users(cur, params) -> str:
        cur.execute(sql_file("recompute/changes_users"))
        return cur.fetchone()[0]

    def sizes(self, tables: Iterable[str]) -> dict[str, float]:
        """Each table's size in pages (the planner's figure), to share the scans out by."""
        with self.sessions[0].cursor() as cur:
            cur.execute(
                "SELECT relname, greatest(relpages, 1) FROM pg_class WHERE oid = ANY(%s::regclass[])",
                (list(tables),),
            )
            return dict(cur.fetchall())

    def close(self) -> None:
        for session in self.sessions:
            session.rollback()


@dataclass
class Plan:
    """A run's partitions split by the change scan: ``unchanged`` {partition: its record rebased on
    this scan}, ``changed`` the ones to recompute, ``reference`` this scan's snapshot for their
    records; ``whole_tables`` whether the whole-table test sufficed (nothing was grouped by partition)."""

    reference: Reference
    unchanged: dict[int, Record] = field(default_factory=dict)
    changed: list[int] = field(default_factory=list)
    whole_tables: bool = False


def plan(
    conn,
    partitions: int,
    todo: list[int],
    records: dict[int, Record | None],
    context: str,
    operation_ct: int,
    on_partition_scan: Callable[[], object] = lambda: None,
    helpers: Sequence = (),
) -> Plan:
    """Which of ``todo`` are unchanged since their ``records`` (the latest of each partition, at this
    partition count). ``on_partition_scan`` is called before anything is grouped by partition (a run
    starts its workers then: something is to be recomputed or looked at more closely). ``helpers``:
    more connections to scan with, side by side (see Scan)."""
    usable = {p: r for p, r in records.items() if r is not None and r.context == context and p in todo}
    since = min((min(r.reference.since, r.prices.since) for r in usable.values()), default=None)
    own = {x for r in usable.values() for x in r.own}
    scan = Scan(conn, since, helpers)
    try:
        tables = INPUT_TABLES + PRICE_TABLES + (COST_TABLES if usable else ())
        pages = scan.sizes(tables)
        *found, users = scan.run(
            [
                (pages.get(table, 1), Scan.table(table, own if table in COST_TABLES else ()))
                for table in tables
            ]
            + [(1, Scan.users)]
        )
        counts = dict(zip(tables, found))
        reference = Reference(scan.xmin, {table: counts[table][0] for table in INPUT_TABLES + PRICE_TABLES})
        result = Plan(reference)
        if not usable or not scan.comparable:
            result.changed = list(todo)
            return result

        prices_new = any(counts[table][1] for table in PRICE_TABLES)
        seen_now = PricesSeen(
            scan.xmin, counts["users_wagerate"][0], counts["core_currencyratesnapshot"][0], users
        )

        def prices_same(r: Record) -> bool:
            return not prices_new and (r.prices.wages, r.prices.fx, r.prices.users) == (
                seen_now.wages,
                seen_now.fx,
                seen_now.users,
            )

        if not any(
            prices_same(r) for r in usable.values()
        ):  # wages, FX or users changed: every partition did
            on_partition_scan()
            result.changed = list(todo)
            return result

        references = {json.dumps(asdict(r.reference), sort_keys=True) for r in usable.values()}
        common = next(iter(usable.values())).reference if len(references) == 1 else None

        def whole(table: str) -> bool:
            return common is not None and counts[table] == (common.tables.get(table), 0)

        timers_whole = whole("tasks_timer") and whole("tasks_operation")
        parts_whole = whole("tasks_part")
        every = len(usable) == partitions
        costs_whole = every and all(
            counts[table] == (sum(getattr(r, column) for r in usable.values()), 0)
            for table, column in zip(COST_TABLES, ("part_rows", "user_rows"))
        )
        result.whole_tables = timers_whole and parts_whole and costs_whole

        if not result.whole_tables:
            on_partition_scan()
        empty = (0, 0)
        grouped = {}
        if not timers_whole:
            grouped["timers"] = (
                pages.get("tasks_timer", 1) + pages.get("tasks_operation", 1),
                Scan.timer_partitions(partitions, operation_ct),
            )
        if not parts_whole:
            grouped["parts"] = (pages.get("tasks_part", 1), Scan.partitions("tasks_part", partitions))
        if not costs_whole:
            for table in COST_TABLES:
                grouped[table] = (pages.get(table, 1), Scan.partitions(table, partitions, own))
        scanned: dict[str, Any] = dict(zip(grouped, scan.run(list(grouped.values()))))
        timer_parts, part_parts = scanned.get("timers"), scanned.get("parts")
        cost_parts = None if costs_whole else [scanned[table] for table in COST_TABLES]

        for p in todo:
            r = usable.get(p)
            same = (
                r is not None
                and prices_same(r)
                and (timer_parts is None or timer_parts.get(p, empty) == (r.timers, 0))
                and (part_parts is None or part_parts.get(p, empty) == (r.parts, 0))
                and (
                    cost_parts is None
                    or (
                        cost_parts[0].get(p, empty) == (r.part_rows, 0)
                        and cost_parts[1].get(p, empty) == (r.user_rows, 0)
                    )
                )
            )
            if same and r is not None:
                result.unchanged[p] = Record(
                    context, reference, r.timers, r.parts, r.part_rows, r.user_rows, r.own, seen_now
                )
            else:
                result.changed.append(p)
        return result
    finally:
        scan.close()
