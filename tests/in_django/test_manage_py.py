"""Every command as the operator types it: ``python manage.py …`` in the project directory, its
output and exit status as Django gives them."""

import pytest

from tests.support.cost_checks import assert_equals_reference


def test_the_runbook_word_for_word_as_manage_py_subprocesses(factory, tmp_path):
    steps = [
        (["partcost_preflight"], "READY for the migration"),
        (["partcost_backup", "--out", str(tmp_path)], "Verified: pg_restore --list reads"),
        (["migrate_tasks_to_parts", "--dry-run", "--limit", "10"], "[DRY RUN] Would migrate"),
        (["migrate_tasks_to_parts", "--batch-size", "100"], "MIGRATION COMPLETE"),
        (["migrate_job_costs"], "JobCostAgg: Migrated"),
        (["validate_migration", "--app-checks"], "APP CHECKS PASSED"),
        (["recompute_part_costs", "--workers", "2"], "RECOMPUTATION COMPLETE"),
        (["partcost_drain_queue", "--once", "--workers", "1"], "RECOMPUTATION COMPLETE"),
        (["partcost_rollback"], "Nothing changed; add --yes to roll back."),
    ]
    for args, expected in steps:
        done = factory.manage(*args)
        assert (done.returncode, expected in done.stdout) == (0, True), (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
    assert list(tmp_path.glob("backup_migration_*.dump"))
    assert_equals_reference(factory.dsn)


def test_the_night_run_as_manage_py(factory, tmp_path):
    done = factory.manage("partcost_night_run", "--yes", "--skip-backup", "--report-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[x] Can view parts/operations in browser" in done.stdout
    assert "[x] Can start/stop timers on operations" in done.stdout
    assert "[ ] Application starts without errors" in done.stdout


RUNBOOK_NAMES = [
    (["migrate_tasks_to_parts", "--dry-run"], "[DRY RUN] MIGRATION COMPLETE"),
    (["migrate_job_costs", "--dry-run"], "[DRY RUN] JobCostAgg: Migrated"),
    (["validate_migration"], "MIGRATION VALIDATION"),
    (["recompute_part_costs", "--workers", "1"], "Starting cost recomputation with 1 worker(s)..."),
]


@pytest.mark.parametrize(("args", "partcost_says"), RUNBOOK_NAMES, ids=[args[0] for args, _ in RUNBOOK_NAMES])
def test_listed_above_the_app_s_tasks_partcost_s_commands_take_over_the_runbook_s_names(
    factory, args, partcost_says
):
    assert partcost_says in factory.manage(*args).stdout
    below = factory.manage(*args, FACTORY_PARTCOST_APP="last")
    assert below.stdout.strip() == f"the app's own {args[0]}"


def test_errors_are_one_line_and_only_traceback_shows_a_traceback(factory):
    done = factory.manage("validate_migration", "--database", "nope")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "CommandError: --database nope: no such alias in settings.DATABASES (default)"
    ]
    traced = factory.manage("validate_migration", "--database", "nope", "--traceback")
    assert traced.returncode == 2 and "Traceback (most recent call last)" in traced.stderr


def test_with_traceback_the_exit_status_is_still_the_command_s(factory):
    failed = factory.manage("validate_migration", "--traceback")  # nothing migrated: the checks fail
    assert failed.returncode == 1 and "VALIDATION FAILED" in failed.stdout
    assert "Traceback (most recent call last)" in failed.stderr


def test_a_database_that_is_down_is_one_line(factory):
    done = factory.manage("partcost_preflight", FACTORY_DB_HOST="127.0.0.1", FACTORY_DB_PORT="1")
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("CommandError: ") and "Connection refused" in line, done.stderr


def test_exit_statuses_are_the_cli_s(factory):
    assert factory.manage("validate_migration").returncode == 1  # nothing migrated yet
    assert factory.manage("recompute_part_costs", "--workers", "0").returncode == 2
