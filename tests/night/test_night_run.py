"""`partcost night-run`: the runbook in one command, stopping at the first problem and carrying on
when run again."""

import json
import stat

import psycopg2
import pytest

from partcost.tools.seed import SeedOptions, seed
from tests.support.cost_checks import assert_equals_reference
from tests.support.migration_runs import run, small_factory

MEASURED = (
    "All tasks migrated to parts",
    "All operations created",
    "No timers pointing to old tasks",
    "All cost data migrated",
    "Validation command passes",
    "Cost calculations run successfully",
)


@pytest.fixture
def seeded(dsn):
    with psycopg2.connect(dsn) as conn:
        seed(conn, SeedOptions(tasks=120, seed=5))
    conn.close()
    return dsn


@pytest.fixture
def night(tmp_path):
    """``partcost --dsn DSN night-run --yes`` with this test's report dir and stop file."""

    def night_run(dsn, *options):
        return run(
            dsn,
            "night-run",
            "--yes",
            "--workers",
            "1",
            "--report-dir",
            str(tmp_path / "reports"),
            "--stop-file",
            str(tmp_path / "stop"),
            *options,
        )

    return night_run


def latest_report(tmp_path) -> dict:
    newest = max((tmp_path / "reports").glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
    return json.loads(newest.read_text())


def checklist(report) -> dict:
    return {item["text"]: item for item in report["checklist"]}


def counts(dsn, query):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()


def test_a_seeded_database_goes_through_every_phase(seeded, night, tmp_path):
    result = night(seeded, "--backup-dir", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "NIGHT RUN COMPLETE" in result.output
    report = latest_report(tmp_path)
    assert [p["name"] for p in report["phases"]] == [
        "preflight",
        "backup",
        "schema upgrade",
        "dry run",
        "migrate-tasks",
        "migrate-costs",
        "validate",
        "recompute",
        "drift",
    ]
    assert len(list(tmp_path.glob("backup_migration_*.dump"))) == 1
    items = checklist(report)
    for text in items:
        expected = "ticked" if text.startswith(MEASURED) else "operator"
        assert items[text]["state"] == expected, items[text]
    tasks, parts = counts(
        seeded,
        "SELECT (SELECT count(*) FROM machining_task),"
        " (SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL)",
    )
    assert tasks == parts == 120
    assert report["drift"]["parts"] == 120
    assert report["drift"]["agreeing"] + report["drift"]["differing"] == 120
    markdown = sorted((tmp_path / "reports").glob("*.md"))[-1].read_text()
    assert "- [x] All tasks migrated to parts (counts match) — 120 tasks, 120 migrated parts" in markdown
    assert "## Drift" in markdown
    modes = {stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "reports").iterdir()}
    assert modes == {0o600}  # the reports name parts and their costs: the operator's alone


def test_a_second_run_finds_everything_done(seeded, night, tmp_path):
    assert night(seeded, "--backup-dir", str(tmp_path)).exit_code == 0

    again = night(seeded, "--backup-dir", str(tmp_path))

    assert again.exit_code == 0, again.output
    status = {p["name"]: p["status"] for p in latest_report(tmp_path)["phases"]}
    assert status["backup"] == status["migrate-tasks"] == status["migrate-costs"] == "nothing to do"
    assert status["recompute"] == "done"  # a fresh run: every partition's fingerprint unchanged
    recompute = latest_report(tmp_path)["recompute"]
    assert {k: v for k, v in recompute["rows"].items() if k != "unchanged"} == {
        "inserted": 0,
        "updated": 0,
        "deleted": 0,
    }
    assert "load" not in recompute["stage_seconds"]  # every partition skipped on its fingerprint
    assert len(list(tmp_path.glob("backup_migration_*.dump"))) == 1  # the pre-migration one is kept
    assert all(item["state"] in ("ticked", "operator") for item in latest_report(tmp_path)["checklist"])


def test_a_second_run_recomputes_what_changed_since_the_last_run(seeded, night, tmp_path):
    """Nothing to migrate, the last recompute complete — but a timer changed since: tonight's
    recompute picks it up, and the checklist's tick names tonight's run, not the old one."""
    assert night(seeded, "--skip-backup").exit_code == 0
    first_run = latest_report(tmp_path)["recompute"]["run_id"]
    with psycopg2.connect(seeded) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE tasks_timer SET finish_time = finish_time + 3600000"
            " WHERE id = (SELECT min(id) FROM tasks_timer WHERE finish_time IS NOT NULL)"
        )
    conn.close()

    again = night(seeded, "--skip-backup", "--allow-connections")  # the closed session may linger a moment

    assert again.exit_code == 0, again.output
    report = latest_report(tmp_path)
    assert {p["name"]: p["status"] for p in report["phases"]}["recompute"] == "done"
    assert report["recompute"]["run_id"] > first_run and report["recompute"]["rows"]["updated"] >= 1
    assert_equals_reference(seeded)
    recomputed = checklist(report)["Cost calculations run successfully"]
    assert recomputed["state"] == "ticked"
    assert recomputed["evidence"].startswith(f"recompute run {report['recompute']['run_id']}:")


def test_a_task_that_cannot_migrate_stops_the_run_after_migrate_tasks(dsn, conn, build, night, tmp_path):
    small_factory(build)
    build.part("PT-OTHER")
    build.operation("M-002", "PT-OTHER", order=1)  # the task key is already an operation's key
    build.commit()
    conn.close()

    stopped = night(dsn, "--skip-backup")

    assert stopped.exit_code == 1
    assert "NIGHT RUN STOPPED at migrate-tasks: 1 task(s) could not migrate: 'M-002'" in stopped.output
    assert "--accept-failed-tasks" in stopped.output and "partcost rollback" in stopped.output
    assert [p["name"] for p in latest_report(tmp_path)["phases"]][-1] == "migrate-tasks"
    assert counts(dsn, "SELECT count(*) FROM tasks_partcostagg") == (0,)  # migrate-costs did not run

    accepted = night(dsn, "--skip-backup", "--accept-failed-tasks")

    assert accepted.exit_code == 0, accepted.output
    report = latest_report(tmp_path)
    assert report["counts"]["failed_tasks"] == [
        {"task": "M-002", "reason": "Task key already exists as operation"}
    ]
    items = checklist(report)
    assert items["All tasks migrated to parts (counts match)"]["state"] == "not met"
    assert (
        "1 task(s) not migrated (accepted" in items["All tasks migrated to parts (counts match)"]["evidence"]
    )
    assert items["Cost calculations run successfully"]["state"] == "ticked"


def test_a_recompute_stopped_by_the_stop_file_resumes_on_the_next_run(seeded, tmp_path):
    from partcost.night.run import Options, night_run

    stop_file = tmp_path / "stop"
    options = Options(workers=1, backup_dir=None, stop_file=stop_file)

    def touch_stop_file_once_recompute_runs(line):
        if line.startswith("Progress:") and "partitions" in line:
            stop_file.touch()

    first = night_run(seeded, options, confirm=lambda summary: True, say=touch_stop_file_once_recompute_runs)

    assert first.failed_phase == "recompute" and first.exit_code == 3
    assert first.recompute.status == "cancelled" and first.recompute.not_done
    resumed = []
    second = night_run(seeded, options, confirm=lambda summary: True, say=resumed.append)

    assert second.failure is None
    assert any(line.startswith("resuming recompute run") for line in resumed)
    assert second.recompute.run_id == first.recompute.run_id
    assert second.recompute.status == "complete"
    assert counts(seeded, "SELECT status FROM partcost_recompute_run ORDER BY id DESC LIMIT 1") == (
        "complete",
    )


def test_the_recompute_s_workers_start_with_the_migration_and_only_the_written_tables_are_analyzed(
    seeded, tmp_path, monkeypatch
):
    """Spawned workers take half a second to start: the night starts them as migrate-tasks begins, so
    they are ready when the recompute needs them, and the recompute uses them instead of its own. The
    dry run analyzes nothing (its batches do not depend on statistics), the migration what it wrote.
    A second night, with nothing to migrate or recompute, starts no worker."""
    import partcost.migration.migrate_tasks
    import partcost.night.run
    from partcost.night.run import Options, night_run
    from partcost.recompute.pool import WorkerPool

    events = []

    def spy(owner, name, event):
        original = getattr(owner, name)

        def recorded(*args, **kwargs):
            events.append(event(*args, **kwargs))
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, recorded)

    spy(partcost.night.run, "_rehearse", lambda dsn: "dry run")
    spy(partcost.night.run, "_run_migrate_tasks", lambda dsn, say: "migrate")
    spy(
        partcost.migration.migrate_tasks,
        "refresh_statistics",
        lambda conn, tables: "analyze " + " ".join(tables),
    )
    spy(WorkerPool, "__enter__", lambda pool: "workers start")
    spy(WorkerPool, "run", lambda pool, scopes, *rest, **k: "recompute")
    options = Options(workers=2, backup_dir=None, stop_file=tmp_path / "stop")

    first = night_run(seeded, options, confirm=lambda summary: True)

    assert first.failure is None and first.recompute.counts.inserted > 0
    assert events == [
        "dry run",
        "workers start",
        "migrate",
        "analyze tasks_part tasks_operation tasks_timer",
        "recompute",
    ]
    events.clear()
    second = night_run(seeded, options, confirm=lambda summary: True)

    assert second.failure is None and second.recompute.counts.unchanged > 0
    assert events == ["dry run"]


def test_without_a_second_connection_the_night_still_analyzes_what_migrate_tasks_wrote(
    seeded, tmp_path, no_second_connection
):
    """Work moved beside the night's connection for speed is done on it instead when a connection
    limit leaves no second one: the night completes, and the tables migrate-tasks wrote are analyzed."""
    from partcost.night.run import Options, night_run

    night = night_run(
        seeded, Options(workers=1, backup_dir=None, stop_file=tmp_path / "stop"), lambda s: True
    )

    assert night.failure is None and night.tasks_migrated == 120
    with psycopg2.connect(seeded) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
            " AND relname IN ('tasks_part', 'tasks_operation', 'tasks_timer') ORDER BY 1"
        )
        assert cur.fetchall() == [("tasks_operation",), ("tasks_part",), ("tasks_timer",)]
    conn.close()


def test_without_a_terminal_it_asks_for_yes_before_doing_anything(seeded, tmp_path):
    result = run(seeded, "night-run", "--skip-backup", "--report-dir", str(tmp_path / "reports"))
    assert result.exit_code == 2
    assert "pass --yes" in result.output
    assert counts(seeded, "SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL") == (0,)


def test_an_unwritable_report_dir_is_refused_before_anything_runs(seeded, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run(seeded, "night-run", "--yes", "--skip-backup", "--report-dir", str(blocker / "reports"))
    assert result.exit_code == 2
    assert f"--report-dir {blocker / 'reports'}: cannot write there" in result.output
    assert counts(seeded, "SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL") == (0,)


def test_a_missing_backup_dir_stops_the_night_at_the_backup_naming_it(seeded, night, tmp_path):
    missing = tmp_path / "no-such-dir"
    result = night(seeded, "--backup-dir", str(missing))
    assert result.exit_code == 1, result.output
    assert f"NIGHT RUN STOPPED at backup: --out {missing}: no such directory" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert counts(seeded, "SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL") == (0,)


def test_a_database_before_phase_2_gets_the_schema_upgrade(dsn_before_upgrade, night, tmp_path):
    with psycopg2.connect(dsn_before_upgrade) as conn:
        seed(conn, SeedOptions(tasks=40, seed=9))
    conn.close()

    result = night(dsn_before_upgrade, "--skip-backup")

    assert result.exit_code == 0, result.output
    phases = {p["name"]: p for p in latest_report(tmp_path)["phases"]}
    assert phases["schema upgrade"]["summary"] == (
        "added tasks_part.task_key, tasks_partcostagg, tasks_partcostaguser, tasks_partcostrecalcqueue"
    )
    assert phases["backup"]["status"] == "skipped"


def test_backup_dir_and_skip_backup_contradict_each_other(dsn, tmp_path):
    result = run(dsn, "night-run", "--yes", "--skip-backup", "--backup-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "--backup-dir and --skip-backup contradict each other" in result.output
