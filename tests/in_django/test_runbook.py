"""The runbook word for word in a Django project: its ``python manage.py …`` commands run partcost,
print what the ``partcost`` CLI prints, and leave the database as the CLI leaves it."""

import json

import pytest
from click.testing import CliRunner
from django.core.management.base import CommandError

from partcost.cli.main import partcost
from tests.support.cost_checks import assert_equals_reference

# (manage.py command and arguments, the same through the partcost CLI)
TWINS = [
    (["partcost_preflight"], ["preflight"]),
    (
        ["migrate_tasks_to_parts", "--dry-run", "--limit", "10"],
        ["migrate-tasks", "--dry-run", "--limit", "10"],
    ),
    (["migrate_job_costs", "--dry-run"], ["migrate-costs", "--dry-run"]),
    (["validate_migration", "--json"], ["validate", "--json"]),
    (["partcost_rollback"], ["rollback"]),
]


def cli(dsn: str, *args: str):
    return CliRunner().invoke(partcost, ["--dsn", dsn, *args], catch_exceptions=False)


@pytest.mark.parametrize(("manage", "command"), TWINS, ids=[m[0] for m, _ in TWINS])
def test_a_management_command_prints_exactly_what_its_cli_command_prints(factory, manage, command):
    out, error = factory.run(*manage)
    result = cli(factory.dsn, *command)
    assert (error.returncode if error else 0) == result.exit_code
    assert out == result.output


def test_the_runbook_through_call_command_migrates_and_recomputes_exactly(factory):
    assert "READY for the migration" in factory.call("partcost_preflight")
    dry = factory.call("migrate_tasks_to_parts", "--dry-run", "--limit", "10")
    assert dry.count("[DRY RUN] Would migrate") == 10
    assert factory.query("SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL") == [(0,)]

    migrated = factory.call("migrate_tasks_to_parts")
    assert "MIGRATION COMPLETE" in migrated and "Failed:      0" in migrated
    assert "JobCostAggUser: Migrated" in factory.call("migrate_job_costs")
    assert "VALIDATION PASSED" in factory.call("validate_migration")
    recomputed = factory.call("recompute_part_costs", "--workers", "2")
    assert "RECOMPUTATION COMPLETE" in recomputed
    assert_equals_reference(factory.dsn)


def test_verbosity_2_is_the_cli_s_verbose(factory):
    out = factory.call("migrate_tasks_to_parts", "--limit", "3", verbosity=2)
    assert out.count("✓ Migrated") == 3


def test_a_failed_validation_is_a_command_error_with_the_cli_s_exit_status(factory):
    with pytest.raises(CommandError) as raised:
        factory.call("validate_migration")  # nothing migrated yet: the checks fail
    assert raised.value.returncode == 1
    assert "finished, but something failed" in str(raised.value)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["recompute_part_costs", "--workers", "0"], "--workers"),
        (["recompute_part_costs", "--workers", "many"], "'many' is not a valid integer"),
        (["validate_migration", "--database", "nope"], "no such alias in settings.DATABASES"),
        (["recompute_part_costs", "--timezone", "Mars/Olympus"], "Mars/Olympus"),
    ],
)
def test_bad_options_are_command_errors_with_exit_status_2(factory, args, expected):
    with pytest.raises(CommandError) as raised:
        factory.call(*args)
    assert raised.value.returncode == 2
    assert expected in str(raised.value)


def test_the_stop_file_is_the_project_s_as_for_the_app_s_own_command(factory):
    from django.conf import settings

    stop_file = settings.BASE_DIR / "recompute_part_costs.stop"
    factory.call("migrate_tasks_to_parts")
    stop_file.touch()
    try:
        out = factory.call("recompute_part_costs", "--workers", "1")
    finally:
        stop_file.unlink(missing_ok=True)
    assert f"Removed a stale stop file {stop_file}" in out
    assert "RECOMPUTATION COMPLETE" in out


def test_the_night_run_under_django_ticks_the_app_checks_from_evidence(factory, tmp_path):
    out = factory.call("partcost_night_run", "--yes", "--skip-backup", "--report-dir", str(tmp_path))
    assert "NIGHT RUN COMPLETE" in out
    assert "✓ app checks" in out
    report = json.loads(next(tmp_path.glob("night-run-*.json")).read_text())
    items = {item["text"]: item for item in report["checklist"]}
    assert items["Can view parts/operations in browser"]["state"] == "ticked"
    assert (
        "migrated parts loaded with their operations"
        in items["Can view parts/operations in browser"]["evidence"]
    )
    assert items["Can start/stop timers on operations"]["state"] == "ticked"
    assert "rolled back" in items["Can start/stop timers on operations"]["evidence"]
    assert items["Application starts without errors"]["state"] == "operator"
    phases = {phase["name"]: phase for phase in report["phases"]}
    assert "Django's migrations" in phases["schema upgrade"]["summary"]
    assert factory.query("SELECT count(*) FROM tasks_timer WHERE finish_time IS NULL") == [(0,)]
    assert_equals_reference(factory.dsn)


def test_the_app_checks_fail_when_a_migrated_part_lost_its_operation(factory):
    factory.call("migrate_tasks_to_parts")
    [(key,)] = factory.query("SELECT min(task_key) FROM tasks_part")
    factory.query(
        "DELETE FROM tasks_timer WHERE object_id = %s; DELETE FROM tasks_operation WHERE key = %s", (key, key)
    )
    out, error = factory.run("validate_migration", "--app-checks")
    assert error is not None and error.returncode == 1
    assert "✗ Can view parts/operations in browser: 1 of" in out
    assert "APP CHECKS FAILED" in out


def test_app_checks_with_json_are_part_of_the_one_json_document(factory):
    factory.call("migrate_tasks_to_parts")
    factory.call("migrate_job_costs")
    document = json.loads(factory.call("validate_migration", "--json", "--app-checks"))
    assert document["passed"] is True
    assert [check["passed"] for check in document["app_checks"]] == [True, True, True]


def test_a_part_key_given_to_call_command_as_a_string_is_one_key(factory):
    factory.call("migrate_tasks_to_parts")
    [(part,)] = factory.query("SELECT min(key) FROM tasks_part WHERE task_key IS NOT NULL")
    out = factory.call("recompute_part_costs", part_key=part)
    assert "Successful: 1" in out


def test_app_checks_leave_no_timer_behind(factory):
    factory.call("migrate_tasks_to_parts")
    factory.call("migrate_job_costs")
    before = factory.query("SELECT count(*), max(id) FROM tasks_timer")
    queued = factory.query("SELECT count(*) FROM tasks_partcostrecalcqueue")
    out = factory.call("validate_migration", "--app-checks")
    assert "APP CHECKS PASSED" in out
    assert "100 sampled timers resolve to their operation through Timer.issue_key" in out
    assert factory.query("SELECT count(*), max(id) FROM tasks_timer") == before
    assert factory.query("SELECT count(*) FROM tasks_partcostrecalcqueue") == queued


def test_backup_and_drain_queue_through_call_command(factory, tmp_path):
    out = factory.call("partcost_backup", "--out", str(tmp_path))
    [dump] = tmp_path.glob("backup_migration_*.dump")
    assert f"Backup written: {dump}" in out
    assert (dump.stat().st_mode & 0o777) == 0o600

    factory.call("migrate_tasks_to_parts")
    factory.query(
        "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) SELECT key, now() FROM tasks_part"
        " ON CONFLICT (part_id) DO NOTHING"
    )
    drained = factory.call("partcost_drain_queue", "--once", "--workers", "1")
    assert "Draining the recompute queue with 1 worker(s)..." in drained
    assert factory.query("SELECT count(*) FROM tasks_partcostrecalcqueue") == [(0,)]
    assert_equals_reference(factory.dsn)


def test_what_to_run_next_is_spelled_as_a_manage_py_command(factory):
    factory.call("migrate_tasks_to_parts")
    factory.query("DELETE FROM partcost_migrated_task")
    _, error = factory.run("partcost_rollback", "--yes")
    assert error is not None and error.returncode == 2
    assert "restore the backup instead (`python manage.py partcost_restore FILE --yes`)" in str(error)
    # and the CLI in the same process still spells its own
    result = cli(factory.dsn, "rollback", "--yes")
    assert "(`partcost restore FILE --yes`)" in result.output


def test_restore_and_stop_through_manage_py(factory, tmp_path):
    factory.call("partcost_backup", "--out", str(tmp_path))
    [dump] = tmp_path.glob("backup_migration_*.dump")
    factory.call("migrate_tasks_to_parts")
    assert factory.query("SELECT count(*) > 0 FROM tasks_part WHERE task_key IS NOT NULL") == [(True,)]
    assert f"Restored {dump}" in factory.call("partcost_restore", str(dump), "--yes")
    assert factory.query("SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL") == [(0,)]

    stop_file = tmp_path / "stop"
    assert "Stop requested" in factory.call("partcost_stop", "--stop-file", str(stop_file))
    assert stop_file.exists()
