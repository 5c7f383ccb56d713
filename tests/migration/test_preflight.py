"""partcost preflight: the runbook's "before you start", with each blocker and what to do."""

import threading
import time
from types import SimpleNamespace

from partcost.migration import preflight
from tests.support.migration_runs import run, small_factory


def test_a_quiet_upgraded_database_is_ready(dsn, build, conn):
    small_factory(build)
    conn.close()  # the builder's session would count as another user

    result = run(dsn, "preflight")

    assert result.exit_code == 0, result.output
    assert "Active timers: 0" in result.output
    assert "Other sessions on the database: 0" in result.output
    assert (
        "Tasks: 3, timers on tasks: 6, JobCostAgg: 3, JobCostAggUser: 3, parts: 1, operations: 1"
        in result.output
    )
    assert "Estimated time for migrate-tasks + migrate-costs + validate: about 1 s" in result.output
    assert result.output.splitlines()[-1] == "READY for the migration"


def test_running_timers_and_other_sessions_block_until_allowed(dsn, build):
    factory = small_factory(build)
    build.timer(factory["worker"], "M-002", "2024-03-09 07:30", None, on="task")
    build.commit()  # the builder's connection stays open: another session

    result = run(dsn, "preflight")

    assert result.exit_code == 2
    assert "Active timers: 1" in result.output
    assert "worker on M-002" in result.output
    assert "✗ 1 timer(s) still running: ask users to stop them or pass --allow-active-timers" in result.output
    assert "✗ 1 other session(s) connected to the database" in result.output
    assert result.output.splitlines()[-1] == "NOT READY for the migration"
    allowed = run(dsn, "preflight", "--allow-active-timers", "--allow-connections")
    assert allowed.exit_code == 0, allowed.output


def test_a_database_before_phase_2_is_told_to_upgrade(dsn_before_upgrade):
    result = run(dsn_before_upgrade, "preflight")

    assert result.exit_code == 2
    assert (
        "✗ the new layout is missing (tasks_part.task_key, tasks_partcostagg, tasks_partcostaguser,"
        " tasks_partcostrecalcqueue): run `partcost schema upgrade`"
    ) in result.output


def test_a_database_without_the_old_tables_is_not_mistaken_for_the_factory(empty_dsn):
    result = run(empty_dsn, "preflight")

    assert result.exit_code == 2
    assert "the old tables are missing" in result.output


def test_a_session_ending_as_preflight_looks_is_not_another_user(dsn, build, conn):
    """A client that has just disconnected (the pg_dump before, the last command of a script) leaves its
    backend in pg_stat_activity for a moment: preflight looks again before it calls it a blocker."""
    small_factory(build)
    threading.Timer(0.3, conn.close).start()

    result = run(dsn, "preflight")

    assert result.exit_code == 0, result.output
    assert "Other sessions on the database: 0" in result.output


def test_with_other_sessions_allowed_preflight_reports_them_without_waiting_for_them_to_go(
    dsn, build, monkeypatch
):
    small_factory(build)  # the builder's connection stays open: another session
    monkeypatch.setattr(preflight, "time", SimpleNamespace(monotonic=time.monotonic, sleep=refuse_to_wait))

    result = run(dsn, "preflight", "--allow-connections")

    assert result.exit_code == 0, result.output
    assert "Other sessions on the database: 1" in result.output


def refuse_to_wait(seconds):
    raise AssertionError(f"preflight waited {seconds} s for a session it allows")
