"""Operating `partcost recompute` and `partcost drain-queue`: stop, resume, one run at a time, the
queue, failures that stay local, and writes that touch only what changed."""

import subprocess
import sys
import threading
import time
from datetime import time as dt_time

import psycopg2
import pytest
from click.testing import CliRunner

from partcost.cli.main import partcost
from partcost.recompute.drain import DrainOptions, drain_batch
from partcost.recompute.run import RUN_LOCK, recompute_all
from partcost.recompute.split import WorkCalendar
from partcost.recompute.worker import Worker
from tests.support.cost_checks import assert_no_half_written_part, cost_tables
from tests.support.reference import Options, actual_outcome, expected_outcome

CALENDAR = WorkCalendar.parse()


def run(dsn, *args):
    return CliRunner().invoke(partcost, ["--dsn", dsn, *args], catch_exceptions=False)


def test_a_full_recompute_then_a_rerun_writes_nothing(dsn, factory, conn):
    first = run(dsn, "recompute", "--workers", "2")
    assert first.exit_code == 0, first.output
    assert "RECOMPUTATION COMPLETE" in first.output and "Successful: 40" in first.output
    before = cost_tables(conn)
    rerun = run(dsn, "recompute", "--workers", "2")
    assert "Rows: 0 inserted, 0 updated, 0 deleted" in rerun.output
    assert cost_tables(conn) == before


def test_a_changed_timer_rewrites_only_its_part(dsn, factory, conn):
    run(dsn, "recompute", "--workers", "1")
    with conn.cursor() as cur:
        cur.execute("SELECT part_id, updated_at FROM tasks_partcostagg ORDER BY part_id")
        stamps = dict(cur.fetchall())
        cur.execute(
            "UPDATE tasks_timer SET finish_time = finish_time + 3600000 WHERE object_id = 'PT-005-OP-1'"
        )
    conn.commit()
    result = run(dsn, "recompute", "--workers", "1")
    assert "Rows: 0 inserted, 2 updated, 0 deleted" in result.output
    with conn.cursor() as cur:
        cur.execute("SELECT part_id, updated_at FROM tasks_partcostagg ORDER BY part_id")
        changed = [key for key, stamp in cur.fetchall() if stamp != stamps[key]]
    assert changed == ["PT-005"]


def test_stale_rows_of_a_part_without_timers_are_removed(dsn, factory, conn):
    run(dsn, "recompute", "--workers", "1")
    with conn.cursor() as cur:
        cur.execute("DELETE FROM tasks_timer WHERE object_id = 'PT-003-OP-1'")
    conn.commit()
    run(dsn, "recompute", "--workers", "1")
    parts, users = cost_tables(conn)
    assert "PT-003" not in {row[0] for row in parts} | {row[0] for row in users}
    assert len(parts) == 39


def test_part_key_recomputes_only_that_part(dsn, factory, conn):
    result = run(dsn, "recompute", "--part-key", "PT-007")
    assert result.exit_code == 0, result.output
    parts, _ = cost_tables(conn)
    assert [row[0] for row in parts] == ["PT-007"]


def test_a_stale_stop_file_is_removed_with_a_notice(dsn, factory, tmp_path):
    stop_file = tmp_path / "recompute_part_costs.stop"
    stop_file.touch()
    result = run(dsn, "recompute", "--workers", "1", "--stop-file", str(stop_file))
    assert "Removed a stale stop file" in result.output
    assert result.exit_code == 0 and not stop_file.exists()


def test_stop_file_cancels_between_partitions_and_resume_finishes(dsn, factory, conn, tmp_path):
    stop_file = tmp_path / "stop"
    cancelled = recompute_all(
        dsn, CALENDAR, workers=1, stop_file=stop_file, on_progress=lambda summary: stop_file.touch()
    )
    assert cancelled.status == "cancelled" and cancelled.exit_code == 3
    assert cancelled.partitions_done == 1 and len(cancelled.not_done) == cancelled.partitions - 1
    assert not stop_file.exists()
    assert_no_half_written_part(conn)
    partial, _ = cost_tables(conn)
    assert 0 < len(partial) < 40

    resumed = run(dsn, "recompute", "--workers", "1", "--resume", "--stop-file", str(stop_file))
    assert resumed.exit_code == 0, resumed.output
    assert (
        f"{cancelled.partitions_done}/{cancelled.partitions} partitions already committed" in resumed.output
    )
    after_resume = cost_tables(conn)
    assert len(after_resume[0]) == 40
    uninterrupted = run(dsn, "recompute", "--workers", "2")
    assert "Rows: 0 inserted, 0 updated, 0 deleted" in uninterrupted.output
    assert cost_tables(conn) == after_resume


def test_resume_with_nothing_unfinished_is_refused(dsn, factory):
    run(dsn, "recompute", "--workers", "1")
    result = run(dsn, "recompute", "--resume")
    assert result.exit_code == 2
    assert "nothing to resume" in result.output


def test_a_second_full_recompute_exits_2_naming_the_first(dsn, factory):
    holder = psycopg2.connect(dsn, application_name="partcost recompute pid=4242 host=night-box")
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", RUN_LOCK)
    try:
        result = run(dsn, "recompute", "--workers", "1")
    finally:
        holder.close()
    assert result.exit_code == 2
    assert "another full recompute is already running" in result.output
    assert "partcost recompute pid=4242 host=night-box" in result.output


def test_a_part_that_cannot_be_written_fails_alone(dsn, factory, conn):
    with conn.cursor() as cur:
        cur.execute("UPDATE tasks_part SET job_no = repeat('J', 150) WHERE key = 'PT-011'")
    conn.commit()
    result = run(dsn, "recompute", "--workers", "1")
    assert result.exit_code == 1
    assert "Failed:     1" in result.output
    assert "PT-011: job_no is 150 characters; job_no_cached holds 100" in result.output
    parts, _ = cost_tables(conn)
    assert len(parts) == 39 and "PT-011" not in {row[0] for row in parts}


def test_a_production_key_the_engine_does_not_know_fails_its_partition_naming_the_row(dsn, factory, conn):
    """Production requires every currency to be a known one; the set-based foreign-key check (or,
    for a role that keeps Django's triggers, the trigger) refuses the partitions writing 'EUR'."""
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE currencies (code varchar(3) PRIMARY KEY)")
        cur.execute(
            "ALTER TABLE tasks_partcostagg ADD CONSTRAINT tasks_partcostagg_currency_fk FOREIGN KEY"
            " (currency) REFERENCES currencies (code) DEFERRABLE INITIALLY DEFERRED"
        )
    conn.commit()

    result = run(dsn, "recompute", "--workers", "1", "--partitions", "2")

    assert result.exit_code == 1, result.output
    assert (
        "tasks_partcostagg.currency = 'EUR': no such row in currencies"
        " (foreign key tasks_partcostagg_currency_fk)"
    ) in result.output
    assert cost_tables(conn) == ([], [])  # both partitions rolled back whole


@pytest.mark.parametrize(
    "args, message",
    [
        (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--work-window", "7:30"], "malformed work window '7:30'"),
        (["--work-window", "17:00-07:30"], "the end must be after the start"),
        (["--workers", "0"], "--workers must be between 1 and 64"),
        (["--workers", "10000"], "--workers must be between 1 and 64"),
    ],
)
def test_bad_options_exit_2_with_one_line(dsn, args, message):
    result = run(dsn, "recompute", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_non_numeric_eur_rate_is_refused_naming_the_day(dsn, factory):
    factory.fx("2024-02-02", rates={"EUR": "abc"})
    factory.commit()
    result = run(dsn, "recompute", "--workers", "1")
    assert result.exit_code == 2
    assert "core_currencyratesnapshot for 2024-02-02 has a non-numeric EUR rate 'abc'" in result.output


def queue_parts(conn, *keys):
    with conn.cursor() as cur:
        for key in keys:
            cur.execute(
                "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES (%s, now())"
                " ON CONFLICT (part_id) DO UPDATE SET enqueued_at = now()",
                (key,),
            )
    conn.commit()


def test_drain_queue_recomputes_the_queued_parts_and_empties_the_queue(dsn, factory, conn):
    queue_parts(conn, "PT-001", "PT-002", "PT-030")
    result = run(dsn, "drain-queue", "--once", "--workers", "2")
    assert result.exit_code == 0, result.output
    parts, _ = cost_tables(conn)
    assert [row[0] for row in parts] == ["PT-001", "PT-002", "PT-030"]
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM tasks_partcostrecalcqueue")
        assert cur.fetchone()[0] == 0


def test_a_bump_while_its_part_is_drained_is_not_lost(dsn, factory, conn):
    """The app bumps a queued part while a drainer recomputes it: the bump waits for the drainer's
    commit and then re-queues the part, so the newer timer gets costed by a later drain."""
    queue_parts(conn, "PT-004")
    app = psycopg2.connect(dsn)

    class BumpingWorker(Worker):
        def recompute(self, scope, run_id=None, before_commit=None):
            def bump_then_continue(conn, result):
                before_commit(conn, result)
                bumper = threading.Thread(target=queue_parts, args=(app, "PT-004"))
                bumper.start()
                time.sleep(0.3)
                self.bumper = bumper

            return super().recompute(scope, run_id, bump_then_continue)

    worker = BumpingWorker(dsn, CALENDAR)
    try:
        result = drain_batch(worker, DrainOptions(once=True), skip=set())
        worker.bumper.join(timeout=10)
    finally:
        worker.close()
        app.close()
    assert result.error is None and result.parts == 1
    with conn.cursor() as cur:
        cur.execute("SELECT part_id FROM tasks_partcostrecalcqueue")
        assert cur.fetchall() == [("PT-004",)]


def test_a_fresh_partcost_process_gives_the_same_rows(dsn, factory, conn):
    """`partcost` run as its own process forks its workers (see partcost.recompute.pool.WorkerPool); the rows
    must be those of the spawned workers used in-process."""
    run(dsn, "recompute", "--workers", "2")
    in_process = cost_tables(conn)
    with conn.cursor() as cur:
        cur.execute("TRUNCATE tasks_partcostagg, tasks_partcostaguser")
    conn.commit()
    finished = subprocess.run(
        [sys.executable, "-m", "partcost", "--dsn", dsn, "recompute", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert "RECOMPUTATION COMPLETE" in finished.stdout
    assert cost_tables(conn) == in_process


def test_a_rerun_repairs_stored_rows_changed_or_deleted_behind_its_back(dsn, factory, conn):
    """A re-run skips partitions whose inputs and rows are as the last run left them — so a cost
    row edited or deleted by someone else must make its partition count as changed."""
    run(dsn, "recompute", "--workers", "2")
    exact = cost_tables(conn)
    with conn.cursor() as cur:
        cur.execute("UPDATE tasks_partcostagg SET total_cost = total_cost + 1 WHERE part_id = 'PT-012'")
        cur.execute("DELETE FROM tasks_partcostaguser WHERE part_id = 'PT-021'")
    conn.commit()
    result = run(dsn, "recompute", "--workers", "2")
    assert "Rows: 2 inserted, 1 updated, 0 deleted" in result.output  # PT-021 has two workers
    assert cost_tables(conn) == exact


def test_a_rerun_with_another_work_window_recomputes_everything(dsn, factory, conn):
    run(dsn, "recompute", "--workers", "1")
    result = run(dsn, "recompute", "--workers", "1", "--work-window", "08:00-17:00")
    assert "Rows: 0 inserted, 0 updated" not in result.output
    with psycopg2.connect(dsn) as fresh:
        assert actual_outcome(fresh) == expected_outcome(fresh, Options(work_start=dt_time(8, 0)))
