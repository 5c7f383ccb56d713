"""drain-queue when parts fail, drainers die, stop files are stale, and the world changes under a
drainer that runs for days. The queue row of a part that was not drained must always stay."""

from contextlib import closing

import psycopg2
import pytest

from partcost.db.sql_files import sql_file
from partcost.recompute import drain
from partcost.recompute.drain import DrainOptions
from partcost.recompute.split import WorkCalendar
from tests.support.cost_checks import outcomes
from tests.support.processes import blocked_worker_pids, holding_slots, kill, run, start, wait_for

CALENDAR = WorkCalendar.parse()


def enqueue(dsn: str, *keys: str) -> None:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        for key in keys:
            cur.execute(
                "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES (%s, now())"
                " ON CONFLICT (part_id) DO UPDATE SET enqueued_at = now()",
                (key,),
            )
        conn.commit()


def queued(dsn: str) -> list:
    """[(part, enqueued_at)] still in the queue."""
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute("SELECT part_id, enqueued_at FROM tasks_partcostrecalcqueue ORDER BY part_id")
        return cur.fetchall()


def execute(dsn: str, statement: str, params=()) -> None:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        conn.commit()


def drainers_polling(dsn: str, application_name: str = "partcost drain-queue worker%") -> int:
    """Drainers that have loaded their prices: a drainer's first ROLLBACK ends the snapshot it loads
    them in, and after that its last statement is a claim of queue rows or the ROLLBACK of an empty one."""
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s"
            " AND (query = 'ROLLBACK' OR query LIKE '%%tasks_partcostrecalcqueue%%')",
            (application_name,),
        )
        return cur.fetchone()[0]


def assert_exact(dsn: str, *keys: str) -> None:
    """These parts' rows equal the exact reference."""
    actual, expected = outcomes(dsn)
    assert {k: actual.parts.get(k) for k in keys} == {k: expected.parts.get(k) for k in keys}
    assert {k: v for k, v in actual.users.items() if k[0] in keys} == {
        k: v for k, v in expected.users.items() if k[0] in keys
    }


def test_a_part_that_fails_stays_queued_with_its_enqueued_at_and_the_others_go(dsn, factory):
    execute(dsn, "UPDATE tasks_part SET job_no = %s WHERE key = 'PT-001'", ("J" * 150,))
    enqueue(dsn, "PT-001", "PT-002")
    before = dict(queued(dsn))

    status, output = run(dsn, "drain-queue", "--once", "--workers", "1")

    assert status == 1, output
    assert "✗ PT-001: job_no is 150 characters" in output
    assert queued(dsn) == [("PT-001", before["PT-001"])]
    assert_exact(dsn, "PT-002")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_part_the_database_refuses_does_not_hold_back_the_rest_of_its_batch(dsn, factory, workers):
    """A production CHECK constraint refuses one part's row: that whole batch's transaction fails, so
    its parts are drained again one by one and only the culprit stays queued."""
    execute(dsn, "ALTER TABLE tasks_partcostagg ADD CONSTRAINT no_pt_003 CHECK (part_id <> 'PT-003')")
    enqueue(dsn, "PT-002", "PT-003", "PT-004")

    status, output = run(dsn, "drain-queue", "--once", "--workers", workers, "--batch-size", "10")

    assert status == 1, output
    failures = [line for line in output.splitlines() if line.strip().startswith("✗")]
    assert len(failures) == 1 and failures[0].strip().startswith("✗ PT-003:") and "no_pt_003" in failures[0]
    assert [key for key, _ in queued(dsn)] == ["PT-003"]
    assert_exact(dsn, "PT-002", "PT-004")


def test_an_unexpected_error_in_one_part_fails_only_that_part(dsn, factory, monkeypatch, tmp_path):
    """Whatever a worker raises becomes that part's failure, named; it never aborts the drain."""
    import partcost.recompute.worker

    compute = partcost.recompute.worker.compute_costs

    def poisoned(timers, parts, *args):
        if "PT-003" in parts["part_id"].to_list():
            raise ZeroDivisionError("a value nobody expected")
        return compute(timers, parts, *args)

    monkeypatch.setattr(partcost.recompute.worker, "compute_costs", poisoned)
    enqueue(dsn, "PT-002", "PT-003", "PT-004")

    summary = drain.drain_queue(dsn, CALENDAR, 1, tmp_path / "stop", DrainOptions(once=True))

    assert summary.exit_code == 1
    assert summary.failed == [("PT-003", "internal error: ZeroDivisionError: a value nobody expected")]
    assert [key for key, _ in queued(dsn)] == ["PT-003"]
    assert_exact(dsn, "PT-002", "PT-004")


def test_a_killed_drainer_fails_the_run_and_its_batch_stays_queued(dsn, factory, tmp_path):
    enqueue(dsn, "PT-001")
    with holding_slots(dsn, [_slot_of(dsn, "PT-001")]):
        process = start(dsn, "drain-queue", "--once", "--workers", "2", "--stop-file", str(tmp_path / "stop"))
        drainer = wait_for(
            lambda: blocked_worker_pids(dsn), "a drainer waiting inside its batch", process=process
        )[0]
        kill(drainer)
        status, output = process.finish()

    assert status == 1, output
    assert f"drainer pid={drainer}: the drainer process died (exit status -9, killed?)" in output
    assert "RECOMPUTATION COMPLETE" not in output and "Traceback" not in output
    assert [key for key, _ in queued(dsn)] == ["PT-001"]


def test_a_stale_stop_file_is_removed_and_a_continuous_drainer_keeps_draining(dsn, factory, tmp_path):
    stop_file = tmp_path / "stop"
    stop_file.touch()
    enqueue(dsn, "PT-002")
    process = start(dsn, "drain-queue", "--workers", "1", "--interval", "0.1", "--stop-file", str(stop_file))
    wait_for(lambda: not queued(dsn), "the queue to be drained", process=process)
    enqueue(dsn, "PT-004")
    wait_for(lambda: not queued(dsn), "the second part to be drained", process=process)
    stop_file.touch()
    status, output = process.finish()

    assert status == 0, output
    assert f"Removed a stale stop file {stop_file}" in output
    assert_exact(dsn, "PT-002", "PT-004")


def test_a_drainer_running_for_days_sees_new_workers_wages_and_fx(dsn, factory, build, tmp_path):
    """A worker who joins, a raise and tomorrow's FX snapshot all reach the parts drained after them."""
    stop_file = tmp_path / "stop"
    process = start(dsn, "drain-queue", "--workers", "2", "--interval", "0.1", "--stop-file", str(stop_file))
    wait_for(lambda: drainers_polling(dsn) == 2, "both drainers to poll the queue", process=process)

    newcomer = build.user()
    build.wage(newcomer, "2024-01-01", 51000)
    build.timer(newcomer, "PT-005-OP-1", "2024-03-05 08:00", "2024-03-05 12:00")
    build.commit()
    enqueue(dsn, "PT-005")
    wait_for(lambda: not queued(dsn), "the newcomer's part to be drained", timeout=20, process=process)
    assert_exact(dsn, "PT-005")

    execute(dsn, "UPDATE users_wagerate SET base_monthly = base_monthly * 2")
    execute(dsn, "UPDATE core_currencyratesnapshot SET rates = '{\"EUR\": 0.0301}' WHERE date = '2024-03-08'")
    enqueue(dsn, "PT-006", "PT-010")
    wait_for(lambda: not queued(dsn), "the repriced parts to be drained", timeout=20, process=process)
    stop_file.touch()
    status, output = process.finish()

    assert status == 0, output
    assert_exact(dsn, "PT-006", "PT-010")


def _slot_of(dsn: str, key: str) -> int:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql_file("recompute/part_slots"), {"part_keys": [key]})
        return cur.fetchone()[0]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_drainer_whose_connection_is_lost_fails_the_run_with_one_line(dsn, factory, tmp_path, workers):
    process = start(
        dsn, "drain-queue", "--workers", workers, "--interval", "0.1", "--stop-file", str(tmp_path / "s")
    )
    wait_for(
        lambda: drainers_polling(dsn, "partcost drain-queue%") == int(workers),
        "the drainers to poll",
        process=process,
    )
    execute(
        dsn,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'partcost drain-queue%%'",
    )
    status, output = process.finish()

    assert status == 1, output
    assert "a drainer stopped: " in output and "RECOMPUTATION FINISHED WITH FAILURES" in output
    assert "Traceback" not in output
