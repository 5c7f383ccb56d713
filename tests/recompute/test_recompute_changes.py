"""The re-run's skip rule (partcost.recompute.changes): a partition is skipped only when nothing it depends on,
nor its stored rows, changed since its record — every kind of change is noticed, whatever the
transaction ids, counts or sums involved; and an unchanged database is skipped whole."""

from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from partcost.recompute import changes, ledger
from partcost.recompute.load import operation_content_type
from partcost.recompute.run import recompute_all
from partcost.recompute.scope import Scope
from partcost.recompute.split import WorkCalendar
from partcost.recompute.worker import Worker, record_context
from tests.support.cost_checks import assert_equals_reference

CALENDAR = WorkCalendar.parse()
PARTITIONS = 4  # what two workers get for the factory's few timers


def full_run(dsn, tmp_path: Path, workers: int = 2):
    summary = recompute_all(dsn, CALENDAR, workers, tmp_path / "stop")
    assert summary.status == "complete", summary.failed
    return summary


def plan_now(dsn, partitions: int = PARTITIONS, helpers: int = 1) -> changes.Plan:
    """What the next full run would find, without running it (scanning on 1 + ``helpers`` connections)."""
    with closing(psycopg2.connect(dsn)) as conn:
        others = [psycopg2.connect(dsn) for _ in range(helpers)]
        try:
            records = {
                p: changes.Record.parse(text) for p, text in ledger.last_records(conn, partitions).items()
            }
            operation_ct = operation_content_type(conn)
            conn.rollback()
            return changes.plan(
                conn,
                partitions,
                list(range(partitions)),
                records,
                record_context(CALENDAR, operation_ct),
                operation_ct,
                helpers=others,
            )
        finally:
            for other in others:
                other.close()


def partition_of(conn, part_key: str, partitions: int = PARTITIONS) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT mod(hashtext(%s)::bigint + 2147483648, %s)::int", (part_key, partitions))
        return cur.fetchone()[0]


def execute(dsn, *statements):
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        conn.commit()


def test_an_unchanged_database_is_skipped_whole_without_a_worker(dsn, factory, tmp_path):
    full_run(dsn, tmp_path)

    found, alone = plan_now(dsn), plan_now(dsn, helpers=0)
    rerun = full_run(dsn, tmp_path)

    assert found.whole_tables and sorted(found.unchanged) == list(range(PARTITIONS)) and not found.changed
    # the same partitions; their rebased references may differ in ``since`` alone, if anything took a
    # transaction id between the two plans (autovacuum's ANALYZE of the tables the run wrote does)
    assert alone.unchanged.keys() == found.unchanged.keys()
    assert rerun.counts.inserted == rerun.counts.updated == rerun.counts.deleted == 0
    assert rerun.counts.unchanged > 0 and "load" not in rerun.timings
    assert plan_now(dsn).whole_tables  # the rebased records compare as well as the first ones


def test_freezing_and_rewriting_the_tables_is_no_change(dsn, factory, tmp_path):
    full_run(dsn, tmp_path)
    with closing(psycopg2.connect(dsn)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM (FREEZE) tasks_timer, tasks_operation, tasks_part, tasks_partcostagg")
            cur.execute("VACUUM FULL tasks_partcostaguser")
            cur.execute("CLUSTER users_wagerate USING users_wagerate_pkey")

    assert not plan_now(dsn).changed


CHANGES = {
    "a timer's finish moves": (
        "PT-012",
        ["UPDATE tasks_timer SET finish_time = finish_time + 60000 WHERE object_id = 'PT-012-OP-1'"],
    ),
    "a timer deleted, another part's timer added (same count, same partition count)": (
        "PT-013",
        [
            "DELETE FROM tasks_timer WHERE object_id = 'PT-013-OP-1'",
            "INSERT INTO tasks_timer (content_type_id, object_id, user_id, start_time, finish_time, manual_entry,"
            " timer_type) SELECT content_type_id, 'PT-014-OP-1', user_id, start_time, finish_time + 1000,"
            " false, timer_type FROM tasks_timer WHERE object_id = 'PT-015-OP-1' LIMIT 1",
        ],
    ),
    "a timer deleted and inserted again, identical": (
        "PT-016",
        [
            "CREATE TEMP TABLE again AS SELECT * FROM tasks_timer WHERE object_id = 'PT-016-OP-1'",
            "DELETE FROM tasks_timer WHERE object_id = 'PT-016-OP-1'",
            "INSERT INTO tasks_timer SELECT * FROM again",
        ],
    ),
    "an operation moves to another part": (
        "PT-017",
        ["UPDATE tasks_operation SET part_id = 'PT-018' WHERE key = 'PT-017-OP-1'"],
    ),
    "a part's job number changes": (
        "PT-019",
        ["UPDATE tasks_part SET job_no = 'J-NEW' WHERE key = 'PT-019'"],
    ),
    "a cost row deleted and inserted again, identical": (
        "PT-020",
        [
            "CREATE TEMP TABLE again AS SELECT * FROM tasks_partcostagg WHERE part_id = 'PT-020'",
            "DELETE FROM tasks_partcostagg WHERE part_id = 'PT-020'",
            "INSERT INTO tasks_partcostagg SELECT * FROM again",
        ],
    ),
    "a per-user cost row rewritten with its own values": (
        "PT-021",
        ["UPDATE tasks_partcostaguser SET total_cost = total_cost WHERE part_id = 'PT-021'"],
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_to_a_partition_is_noticed_and_repaired(dsn, factory, tmp_path, change):
    full_run(dsn, tmp_path)
    part, statements = CHANGES[change]
    execute(dsn, *statements)
    with closing(psycopg2.connect(dsn)) as conn:
        partition = partition_of(conn, part)

    found = plan_now(dsn)

    assert partition in found.changed and not found.whole_tables
    full_run(dsn, tmp_path)
    assert_equals_reference(dsn)
    assert not plan_now(dsn).changed


PRICE_CHANGES = {
    "a raise": "UPDATE users_wagerate SET base_monthly = base_monthly + 1",
    "a wage row deleted and inserted again, identical": (
        "WITH gone AS (DELETE FROM users_wagerate RETURNING *) INSERT INTO users_wagerate SELECT * FROM gone"
    ),
    "a new FX day": "INSERT INTO core_currencyratesnapshot (provider, date, base, rates, created_at)"
    " SELECT provider, date + 1, base, rates, created_at FROM core_currencyratesnapshot"
    " ORDER BY date DESC LIMIT 1",
    "a new user": "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
    " is_active, date_joined) VALUES ('', false, 'newcomer', '', '', '', false, true, now())",
}


@pytest.mark.parametrize("change", PRICE_CHANGES, ids=list(PRICE_CHANGES))
def test_a_change_to_wages_fx_or_users_changes_every_partition(dsn, factory, tmp_path, change):
    full_run(dsn, tmp_path)
    execute(dsn, PRICE_CHANGES[change])

    assert sorted(plan_now(dsn).changed) == list(range(PARTITIONS))
    full_run(dsn, tmp_path)
    assert_equals_reference(dsn)


def test_a_login_is_no_change(dsn, factory, tmp_path):
    """The recompute depends on which users exist, not on their other columns."""
    full_run(dsn, tmp_path)
    execute(dsn, "UPDATE auth_user SET last_login = now()")
    assert not plan_now(dsn).changed


def test_a_transaction_in_flight_at_the_reference_snapshot_is_noticed(dsn, factory, tmp_path):
    """A writer that started before the run (its transaction id older than the run's) and commits
    after it: its rows are written in the window all the same."""
    writer = psycopg2.connect(dsn)
    with writer.cursor() as cur:
        cur.execute("SELECT txid_current()")  # an id older than the run's snapshot
        cur.execute(
            "UPDATE tasks_timer SET finish_time = finish_time + 60000 WHERE object_id = 'PT-022-OP-1'"
        )
    full_run(dsn, tmp_path)  # does not see the uncommitted update
    writer.commit()
    writer.close()
    with closing(psycopg2.connect(dsn)) as conn:
        partition = partition_of(conn, "PT-022")

    assert partition in plan_now(dsn).changed
    full_run(dsn, tmp_path)
    assert_equals_reference(dsn)


def test_inputs_changed_while_a_partition_loads_leave_it_unrecorded(dsn, factory, conn, build, tmp_path):
    """A timer added after the run's reference snapshot and gone again before the next run: the
    partition that loaded it records nothing, so the next run recomputes it."""
    with conn.cursor() as cur:
        cur.execute("SELECT user_id FROM tasks_timer LIMIT 1")
        user = cur.fetchone()[0]
    conn.rollback()
    partition = partition_of(conn, "PT-023")
    ledger.ensure_ledger(conn)
    found = plan_now(dsn)  # the reference, as a run takes it before its partitions load
    build.timer(user, "PT-023-OP-1", "2024-03-05 07:00", "2024-03-05 09:00")
    build.commit()
    run = ledger.start_run(conn, PARTITIONS, {"timezone": CALENDAR.timezone, "work_window": "07:30-17:00"})
    worker = Worker(dsn, CALENDAR)
    try:
        for p in range(PARTITIONS):
            assert worker.recompute(Scope(PARTITIONS, p), run.id, reference=found.reference).error is None
    finally:
        worker.close()
    ledger.finish_run(conn, run, "complete")
    records = ledger.last_records(conn, PARTITIONS)
    assert records[partition] is None
    assert all(changes.Record.parse(records[p]) for p in range(PARTITIONS) if p != partition)

    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM tasks_timer WHERE object_id = 'PT-023-OP-1' AND start_time ="
            " (SELECT max(start_time) FROM tasks_timer WHERE object_id = 'PT-023-OP-1')"
        )
    conn.commit()

    assert plan_now(dsn).changed == [partition]
    full_run(dsn, tmp_path)
    assert_equals_reference(dsn)


def test_a_record_from_too_long_ago_is_never_compared(dsn, factory, conn, tmp_path):
    """A reference more than 2**30 transactions back (or one whose 32-bit id age() cannot measure)
    compares as changed: the 32-bit xmin could no longer tell old from new."""
    full_run(dsn, tmp_path)
    with conn.cursor() as cur:
        cur.execute("SELECT run_id, partition, fingerprint FROM partcost_recompute_partition")
        for run_id, partition, text in cur.fetchall():
            record = changes.Record.parse(text)
            old = changes.Record(
                record.context,
                changes.Reference(record.reference.since - (1 << 30), record.reference.tables),
                record.timers,
                record.parts,
                record.part_rows,
                record.user_rows,
                record.own,
                record.prices,
            )
            cur.execute(
                "UPDATE partcost_recompute_partition SET fingerprint = %s WHERE run_id = %s AND partition = %s",
                (old.text(), run_id, partition),
            )
    conn.commit()

    assert sorted(plan_now(dsn).changed) == list(range(PARTITIONS))


def test_the_window_arithmetic():
    assert changes.window(10, 12) == 12  # age(since) at least the 64-bit distance
    assert changes.window(10, 9) is None  # age() measured from elsewhere: not comparable
    assert changes.window(1 << 30, (1 << 30) + 5) is None  # too far back
    assert changes.window(5, 2**31 - 1) is None  # age() of a special id (frozen, bootstrap)
    assert changes.window(None, 5) is None and changes.window(5, None) is None

    import polars as pl

    since = (1 << 32) * 3 - 5  # 5 transactions before a 32-bit wraparound
    upper = since + 10
    rows = pl.Series([(since - 1) % (1 << 32), since % (1 << 32), (since + 7) % (1 << 32), 4, 5])
    # old, first of the window, after the wrap (= 2), after the wrap (4 = since + 9), at the upper bound
    assert changes.loaded_rows_written_since([rows], since, upper) == 3
    assert changes.loaded_rows_written_since([rows], since, since + (1 << 30)) is None
