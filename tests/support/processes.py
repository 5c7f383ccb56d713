"""Driving a real ``partcost`` process from a test, and pausing it at a known point.

The pause is PostgreSQL's own: a recompute partition (or a queue batch) first takes transaction
advisory locks on its parts' lock slots (sql/recompute/lock_part_slots.sql). A test connection holding those
slots at session level makes the worker block right after its BEGIN — so a kill, a stop or a restart
lands at a known moment, inside a transaction, every time."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

import psutil
import psycopg2

from partcost.recompute.run import RUN_LOCK
from partcost.recompute.scope import LOCK_NAMESPACE, LOCK_SLOTS

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


class Partcost:
    """``partcost args…`` running as a real process; its output is collected as it comes,
    so a test can wait for a line while the process runs."""

    def __init__(self, *args: str, cwd=None, env=None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "partcost", *args],
            cwd=cwd or ROOT,
            env=dict(os.environ, **(env or {})),
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.process.pid
        self.lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def running(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait_for_line(self, text: str) -> None:
        wait_for(lambda: text in self.output, f"partcost to print {text!r}", process=self)

    def finish(self, timeout: float = WAIT_SECONDS) -> tuple:
        """(exit status, everything it printed)."""
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return self.process.returncode, self.output


def start(dsn: str, *args: str) -> Partcost:
    """``partcost --dsn DSN args…``, started."""
    return Partcost("--dsn", dsn, *args)


def run(dsn: str, *args: str) -> tuple:
    """``partcost --dsn DSN args…`` run to the end: (exit status, output)."""
    return start(dsn, *args).finish()


def partition_slots(partition: int, partitions: int) -> list:
    return [slot for slot in range(LOCK_SLOTS) if slot % partitions == partition]


@contextmanager
def holding_slots(dsn: str, slots):
    """Hold these lock slots (as the app or another writer might) until the block ends."""
    holder = psycopg2.connect(dsn, application_name="reliability test slot holder")
    holder.autocommit = True
    with holder.cursor() as cur:
        cur.execute(
            "SELECT count(pg_advisory_lock(%s, slot)) FROM unnest(%s::int[]) AS slot",
            (LOCK_NAMESPACE, list(slots)),
        )
    try:
        yield holder
    finally:
        if not holder.closed:
            holder.close()


def _query(dsn: str, sql: str, params=()):
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def blocked_worker_pids(dsn: str) -> list:
    """OS pids of the partcost workers waiting on a slot lock (they name their pid in application_name)."""
    rows = _query(
        dsn,
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        " WHERE l.locktype = 'advisory' AND l.classid = %s AND NOT l.granted",
        (LOCK_NAMESPACE,),
    )
    return [int(m.group(1)) for (name,) in rows if (m := re.search(r"worker pid=(\d+)", name))]


def committed_partitions(dsn: str) -> int:
    """Partitions the latest run's ledger records as committed (0 before the ledger exists)."""
    if _query(dsn, "SELECT to_regclass('partcost_recompute_partition')")[0][0] is None:
        return 0
    return _query(
        dsn,
        "SELECT count(*) FROM partcost_recompute_partition"
        " WHERE run_id = (SELECT max(id) FROM partcost_recompute_run)",
    )[0][0]


def run_lock_held(dsn: str) -> bool:
    return bool(
        _query(
            dsn,
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND granted",
            RUN_LOCK,
        )
    )


def wait_for(condition, what: str, timeout: float = WAIT_SECONDS, process: "Partcost" = None):
    """Poll ``condition()`` until it is truthy; fail naming ``what`` (and the process's output if it ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and not process.running():
            status, output = process.finish()
            raise AssertionError(f"partcost exited ({status}) before {what}:\n{output}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def workers_of(process: Partcost) -> list:
    """The worker processes (children) of a partcost process."""
    return psutil.Process(process.pid).children(recursive=True)


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
