"""Phase 2 belongs to Django, and the app's session limits do not reach partcost's connections."""

import threading
import time

import psycopg2
import pytest
from click.testing import CliRunner

from partcost.cli.main import partcost
from tests.support.cost_checks import assert_equals_reference
from tests.support.processes import wait_for

COMMANDS = [
    ["partcost_preflight"],
    ["migrate_tasks_to_parts", "--dry-run"],
    ["migrate_job_costs"],
    ["validate_migration"],
    ["recompute_part_costs", "--workers", "1"],
    ["partcost_drain_queue", "--once"],
    ["partcost_rollback", "--yes"],
    ["partcost_night_run", "--yes", "--skip-backup"],
]


@pytest.fixture
def before_phase_2(factory):
    """The factory database with the app's Phase 2 migration (tasks.0002) not applied."""
    factory.call("migrate", "tasks", "0001", verbosity=0)
    return factory


def phase_2_tables(factory) -> list:
    return factory.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'tasks_partcost%%'"
        " UNION ALL SELECT 'tasks_part.' || column_name FROM information_schema.columns"
        " WHERE table_name = 'tasks_part' AND column_name = 'task_key'"
    )


@pytest.mark.parametrize("args", COMMANDS, ids=[args[0] for args in COMMANDS])
def test_with_a_migration_unapplied_every_command_refuses_and_names_manage_py_migrate(before_phase_2, args):
    out, error = before_phase_2.run(*args)
    assert error is not None and error.returncode == 2
    assert "Django migration(s) not applied (tasks.0002_part_task_key_and_costs)" in str(error)
    assert "run `python manage.py migrate` first" in str(error)
    assert phase_2_tables(before_phase_2) == []


def test_the_backup_needs_no_migration_applied_the_runbook_takes_it_before_phase_2(before_phase_2, tmp_path):
    out = before_phase_2.call("partcost_backup", "--out", str(tmp_path))
    assert "Verified: pg_restore --list reads" in out
    assert phase_2_tables(before_phase_2) == []


def test_the_standalone_cli_warns_that_django_owns_the_layout_and_says_what_migrate_then_needs(
    before_phase_2,
):
    factory = before_phase_2
    preflight = CliRunner().invoke(partcost, ["--dsn", factory.dsn, "preflight"])
    assert "⚠ this database's layout is Django's" in preflight.output

    upgrade = CliRunner().invoke(partcost, ["--dsn", factory.dsn, "schema", "upgrade"])
    assert upgrade.exit_code == 0
    assert "python manage.py migrate tasks <that migration> --fake" in upgrade.output

    # What the note says is what happens: the app's migrate fails, then the one migration faked works.
    refused = factory.manage("migrate")
    assert refused.returncode != 0 and "already exists" in refused.stderr
    assert factory.manage("migrate", "tasks", "0002_part_task_key_and_costs", "--fake").returncode == 0
    assert factory.manage("migrate").returncode == 0
    assert "MIGRATION COMPLETE" in factory.call("migrate_tasks_to_parts")


APP_LIMITS = (
    '{"options": "-c statement_timeout=1000 -c lock_timeout=500 -c idle_in_transaction_session_timeout=1000"}'
)


def test_the_app_s_short_session_limits_do_not_cut_partcost_s_long_statements(factory):
    """The settings' OPTIONS give every connection a 1 s statement timeout; a recompute (parent and
    two workers) whose statements wait 2 s on a lock still completes exactly."""
    factory.call("migrate_tasks_to_parts")
    blocker = psycopg2.connect(factory.dsn)
    blocker.cursor().execute("LOCK TABLE tasks_partcostaguser IN ACCESS EXCLUSIVE MODE")
    waited = threading.Event()

    def release_after_a_long_wait():
        try:
            wait_for(lambda: waited_on_lock(factory) >= 2.0, "a partcost statement waiting 2 s on the lock")
            waited.set()
        finally:
            blocker.rollback()

    thread = threading.Thread(target=release_after_a_long_wait)
    thread.start()
    try:
        done = factory.manage("recompute_part_costs", "--workers", "2", FACTORY_DB_OPTIONS=APP_LIMITS)
    finally:
        thread.join()
        blocker.close()
    assert waited.is_set(), done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert_equals_reference(factory.dsn)


def waited_on_lock(factory) -> float:
    [(seconds,)] = factory.query(
        "SELECT coalesce(max(extract(epoch FROM now() - query_start)), 0) FROM pg_stat_activity"
        " WHERE application_name LIKE 'partcost%%' AND wait_event_type = 'Lock'"
    )
    time.sleep(0.1)
    return float(seconds)
