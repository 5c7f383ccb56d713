"""The runbook's Phase 4, step 1: machining tasks become parts + operations, their timers follow.

The work goes in batches of tasks in key order, each batch one transaction of a few set-based
statements (sql/migration/migrate_tasks_batch_*.sql). Tasks that cannot migrate are found set-based *before*
anything is inserted, so one bad task never rolls back its batch. If the database still refuses a
batch at COMMIT (something no check foresaw), the batch is redone task by task under savepoints:
the culprit is named with the database's reason and the rest still migrate. Each task's moved timers
are recorded in the same transaction (partcost.migration.record), for rollback.

Where the role may, a batch's foreign keys are checked set-based instead of row by row
(partcost.db.references); a batch those checks refuse takes the same task-by-task path.

A dry run does the same work and then rolls every batch back — except that of the timers it moves only
those something could refuse to move (engine.migrate_tasks.timer_rehearsal): moving the others proves
nothing more, and rewriting every timer is most of migrate-tasks' time."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import psycopg2
from psycopg2 import sql

from partcost.db import schema
from partcost.db.catalogue import content_type_id
from partcost.db.connections import database_error_message
from partcost.db.plans import refresh_statistics
from partcost.db.references import MissingReference, ReferenceChecks, rows_by_tid
from partcost.db.sql_files import sql_file
from partcost.migration.record import ensure_record

DEFAULT_BATCH_SIZE = (
    25_000  # measured: 100,000 tasks take 12–13 s in batches of 25,000, 16–18 s in batches of 5,000
)
WRITTEN_TABLES = ("tasks_part", "tasks_operation", "tasks_timer")


def batch_rows(content_types: dict, checks: ReferenceChecks) -> dict:
    """The rows a batch writes, per table, found by index (for the set-based foreign-key checks: without
    it each batch's check scans each whole table, and migrate-tasks grows with the square of the tasks).
    Fetched by tuple id (partcost.db.references.rows_by_tid): as a join or an ``= ANY`` filter, plans misled
    by the statistics of tables the run is filling walked a whole index with a 25,000-key filter per
    row instead (8 s per check at 100,000 tasks, 17 s at 1,000,000). The moved timers all get the same
    content type, so when that column alone makes up every key checked on them, one timer stands for all."""
    one_timer = all(
        key.columns == ("content_type_id",)
        for key in checks.foreign_keys.get("tasks_timer", [])
        if "content_type_id" in key.columns
    )
    return {
        "tasks_part": rows_by_tid(
            "tasks_part", sql.SQL("key = ANY(ARRAY(SELECT 'PT-' || key FROM migration_batch))")
        ),
        "tasks_operation": rows_by_tid(
            "tasks_operation", sql.SQL("key = ANY(ARRAY(SELECT key FROM migration_batch))")
        ),
        "tasks_timer": rows_by_tid(
            "tasks_timer",
            sql.SQL(
                "content_type_id = {} AND object_id = ANY(ARRAY(SELECT key FROM migration_batch))"
            ).format(sql.Literal(content_types["operation_type"])),
            one=one_timer,
        ),
    }


@dataclass
class BatchResult:
    """What happened to one batch: migrated keys and (key, reason) failures in key order."""

    size: int
    migrated: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.size - len(self.migrated) - len(self.failed)


def count_tasks(conn, limit: int | None = None) -> int:
    """The number of tasks a run looks at (``Found N tasks to migrate``)."""
    schema.require(conn, schema.MIGRATION_TABLES)
    with conn.cursor() as cur:
        cur.execute(sql_file("migration/count_tasks_to_migrate"), {"limit": limit})
        (count,) = cur.fetchone()
    conn.rollback()
    return count


@dataclass(frozen=True)
class Keys:
    """The tasks a run covers, in machining_task.key's own order: after ``after`` (exclusive) up to
    ``until`` (inclusive); None: from the first, to the last."""

    after: str | None = None
    until: str | None = None


def middle_key(conn) -> str | None:
    """The key that splits the tasks into two halves of the same size (``Keys(until=…)`` and
    ``Keys(after=…)``); None when there is no task."""
    with conn.cursor() as cur:
        cur.execute(sql_file("migration/middle_task_key"))
        row = cur.fetchone()
    conn.rollback()
    return row[0] if row else None


def migrate_tasks(
    conn,
    batch_size: int = DEFAULT_BATCH_SIZE,
    limit: int | None = None,
    dry_run: bool = False,
    analyze: bool = True,
    keys: Keys = Keys(),
    stopped: Callable[[], bool] = lambda: False,
) -> Iterator[BatchResult]:
    """Migrate (or, with ``dry_run``, rehearse) every task of ``keys``, yielding each batch's result
    once it is committed (or rolled back). A real run then refreshes the planner statistics of the
    tables it wrote (``refresh_written_statistics``), unless told not to: the night does it beside its next
    phase. ``stopped``: asked before each batch, and before a refused batch is redone task by task —
    when it says so, the run ends there (raising what refused the batch)."""
    schema.require(conn, schema.MIGRATION_TABLES)
    ensure_record(conn, dry_run)
    content_types = {
        "task_type": content_type_id(conn, "machining", "task"),
        "operation_type": content_type_id(conn, "tasks", "operation"),
    }
    with conn.cursor() as cur:
        cur.execute(sql_file("migration/migrate_tasks_batch_table"))
    conn.commit()
    checks = ReferenceChecks(conn, WRITTEN_TABLES)
    timers: sql.Composable = (
        timer_rehearsal(conn) if dry_run else sql.SQL(sql_file("migration/move_task_timers"))
    )

    remaining = limit
    while (remaining is None or remaining > 0) and not stopped():
        size = batch_size if remaining is None else min(batch_size, remaining)
        result, last_key = _run_batch(conn, keys, size, content_types, checks, dry_run, timers, stopped)
        if result.size == 0:
            break
        yield result
        keys = replace(keys, after=last_key)
        if remaining is not None:
            remaining -= result.size
    if analyze and not dry_run:
        refresh_written_statistics(conn)


def timer_rehearsal(conn) -> sql.Composed:
    """A dry run's timer statement (sql/migration/rehearse_task_timers.sql): the timers a constraint, index,
    trigger or rule could refuse to move, as the catalogue says (sql/migration/timer_move_refusers.sql) — all of
    them when anything could refuse any, those a partial unique index covers (Django's "one running
    timer" index: the running ones), or none."""
    with conn.cursor() as cur:
        cur.execute(sql_file("migration/timer_move_refusers"))
        every, predicates = cur.fetchone()
    conn.rollback()
    if every:
        refusable: sql.Composable = sql.SQL("TRUE")
    elif predicates:
        refusable = sql.SQL("(SELECT {} FROM (SELECT timer.*) AS tasks_timer)").format(
            sql.SQL(" OR ").join(sql.SQL("({})").format(sql.SQL(p.replace("%", "%%"))) for p in predicates)
        )
    else:
        refusable = sql.SQL("FALSE")
    return sql.SQL(sql_file("migration/rehearse_task_timers")).format(refusable=refusable)


def refresh_written_statistics(conn) -> None:
    """Planner statistics for the tables a run wrote, where this role may ANALYZE them (see
    ``refresh_statistics``): the tables went from few rows to many, and the application plans its
    queries from them. Nothing is analyzed before the batches: they do not depend on statistics, every
    lookup in these tables is keyed on a row of the batch (sql/migration/migrate_tasks_batch*.sql,
    sql/migration/move_task_timers.sql), and a dry run writes nothing."""
    refresh_statistics(conn, WRITTEN_TABLES)
    conn.commit()


def _run_batch(
    conn, keys: Keys, size, content_types, checks: ReferenceChecks, dry_run, timers: sql.Composable, stopped
) -> tuple[BatchResult, str | None]:
    try:
        with conn.cursor() as cur:
            checks.switch_triggers_off(cur)
            last_key = _load_and_classify(cur, keys, size)
            cur.execute(sql_file("migration/migrate_tasks_batch"))
            cur.execute(timers, content_types)
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # refusals surface now, in dry runs too
            written = batch_rows(content_types, checks)
            for table, columns in (
                ("tasks_part", None),
                ("tasks_operation", None),
                ("tasks_timer", ["content_type_id"]),
            ):
                checks.check(cur, table, columns, rows=written[table])
            result = _read_outcomes(cur)
        _finish(conn, dry_run)
        return result, last_key
    except (psycopg2.Error, MissingReference):
        conn.rollback()
        if stopped():
            raise
    return _run_batch_task_by_task(conn, keys, size, content_types, dry_run, timers)


def _run_batch_task_by_task(conn, keys: Keys, size, content_types, dry_run, timers: sql.Composable):
    """The slow path for a batch the database refused: one savepoint per task, foreign keys checked
    inside it, so exactly the refused tasks fail, each with the database's own reason."""
    with conn.cursor() as cur:
        last_key = _load_and_classify(cur, keys, size)
        cur.execute("UPDATE migration_batch SET outcome = 'queued' WHERE outcome = 'pending'")
        cur.execute("SELECT key FROM migration_batch WHERE outcome = 'queued' ORDER BY key")
        for (key,) in cur.fetchall():
            cur.execute("UPDATE migration_batch SET outcome = 'pending' WHERE key = %s", (key,))
            cur.execute("SAVEPOINT one_task")
            try:
                cur.execute(sql_file("migration/migrate_tasks_batch"))
                cur.execute(timers, content_types)
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
                cur.execute("RELEASE SAVEPOINT one_task")
            except psycopg2.Error as error:
                cur.execute("ROLLBACK TO SAVEPOINT one_task")
                cur.execute(
                    "UPDATE migration_batch SET outcome = 'failed', reason = %s WHERE key = %s",
                    (database_error_message(error), key),
                )
        result = _read_outcomes(cur)
    _finish(conn, dry_run)
    return result, last_key


def _load_and_classify(cur, keys: Keys, size) -> str | None:
    cur.execute(
        sql_file("migration/migrate_tasks_batch_load"),
        {"after": keys.after, "until": keys.until, "size": size},
    )
    cur.execute(sql_file("migration/migrate_tasks_batch_classify"))
    cur.execute(sql_file("migration/migration_batch_last_key"))
    return cur.fetchone()[0]


def _read_outcomes(cur) -> BatchResult:
    cur.execute("SELECT count(*) FROM migration_batch")
    result = BatchResult(size=cur.fetchone()[0])
    cur.execute(
        "SELECT key, outcome, reason FROM migration_batch"
        " WHERE outcome IN ('migrated', 'failed') ORDER BY key"
    )
    for key, outcome, reason in cur.fetchall():
        if outcome == "migrated":
            result.migrated.append(key)
        else:
            result.failed.append((key, reason))
    return result


def _finish(conn, dry_run: bool) -> None:
    if dry_run:
        conn.rollback()
    else:
        conn.commit()
