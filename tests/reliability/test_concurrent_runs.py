"""Two full recomputes at once, and a full recompute while drain-queue runs."""

from contextlib import closing

import psycopg2

from partcost.recompute.scope import LOCK_SLOTS
from tests.support.cost_checks import assert_equals_reference
from tests.support.processes import blocked_worker_pids, holding_slots, partition_slots, run, start, wait_for


def test_a_second_full_recompute_exits_2_naming_the_first(dsn, factory, tmp_path):
    with holding_slots(dsn, partition_slots(0, 2)):
        first = start(
            dsn, "recompute", "--partitions", "2", "--workers", "1", "--stop-file", str(tmp_path / "a")
        )
        wait_for(lambda: blocked_worker_pids(dsn), "the first run to be inside partition 0", process=first)
        status, output = run(dsn, "recompute", "--workers", "1", "--stop-file", str(tmp_path / "b"))
    assert status == 2, output
    assert (
        f"Error: another full recompute is already running on this database: 'partcost recompute pid={first.pid}"
        in output
    )

    status, output = first.finish()
    assert status == 0, output
    assert_equals_reference(dsn)


def queue_every_part(dsn):
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) SELECT key, now() FROM tasks_part"
        )
        conn.commit()


def queue_length(dsn):
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM tasks_partcostrecalcqueue")
        return cur.fetchone()[0]


def test_recompute_and_drain_queue_side_by_side_are_both_exact(dsn, factory, tmp_path):
    """Both are held at the start line (every slot taken), then let go at once: they race for the
    same parts, and serialize on the slot locks."""
    queue_every_part(dsn)
    with holding_slots(dsn, range(LOCK_SLOTS)):
        recompute = start(
            dsn, "recompute", "--partitions", "4", "--workers", "2", "--stop-file", str(tmp_path / "a")
        )
        drain = start(
            dsn,
            "drain-queue",
            "--once",
            "--workers",
            "2",
            "--batch-size",
            "5",
            "--stop-file",
            str(tmp_path / "b"),
        )
        wait_for(lambda: len(blocked_worker_pids(dsn)) == 4, "both commands' workers at the start line")
    recompute_status, recompute_output = recompute.finish()
    drain_status, drain_output = drain.finish()
    assert recompute_status == 0, recompute_output
    assert drain_status == 0, drain_output
    assert queue_length(dsn) == 0
    assert_equals_reference(dsn)
