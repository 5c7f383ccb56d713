"""Whatever goes wrong inside a worker fails its scope, named — never the whole run, never a
traceback — and no run is ever left ``running`` in the ledger once its process has stopped."""

import multiprocessing
import signal
import threading
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

import partcost.recompute.pool
import partcost.recompute.worker
from partcost.recompute import ledger
from partcost.recompute.run import recompute_all, recompute_parts
from partcost.recompute.scope import Scope
from partcost.recompute.split import WorkCalendar
from tests.support.cost_checks import assert_equals_reference
from tests.support.processes import run

CALENDAR = WorkCalendar.parse()


def last_run_status(dsn: str) -> str:
    with closing(psycopg2.connect(dsn)) as conn:
        return ledger.last_run(conn).status


def test_an_unexpected_error_fails_its_part_key_scope_with_one_line(dsn, factory, monkeypatch):
    def broken(*args):
        raise ValueError("no such thing")

    monkeypatch.setattr(partcost.recompute.worker, "compute_costs", broken)
    summary = recompute_parts(dsn, CALENDAR, ["PT-001"])

    assert summary.exit_code == 1
    assert summary.failed == [("PT-001", "internal error: ValueError: no such thing")]


def test_a_run_stopped_by_an_unexpected_error_is_not_left_running(dsn, factory, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the pool broke")

    monkeypatch.setattr(partcost.recompute.pool.WorkerPool, "run", broken)
    with pytest.raises(RuntimeError):
        recompute_all(dsn, CALENDAR, 1, tmp_path / "stop")

    assert last_run_status(dsn) == "failed"


def test_a_timer_in_microseconds_fails_only_its_own_part(dsn, factory, build, tmp_path):
    """The calendar cannot hold a finish time stored in microseconds; the other parts still commit."""
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM auth_user ORDER BY id LIMIT 1")
        user = cur.fetchone()[0]
    timer = build.timer(user, "PT-007-OP-1", 1709535600000, 1709539200000 * 1000)
    build.commit()

    status, output = run(
        dsn, "recompute", "--workers", "2", "--partitions", "4", "--stop-file", str(tmp_path / "s")
    )

    assert status == 1, output
    assert f"✗ PT-007: timer {timer}'s finish_time 1709539200000000 is outside" in output
    assert "Traceback" not in output and "internal error" not in output
    assert last_run_status(dsn) == "failed"
    assert_equals_reference(dsn, except_parts=("PT-007",))


def test_a_pool_left_by_an_error_has_no_thread_still_tearing_down(dsn, factory):
    """Its executor's manager thread is joined before the error goes on: one still running at
    interpreter exit races concurrent.futures' exit hook ("OSError: Bad file descriptor")."""
    before = set(threading.enumerate())
    with pytest.raises(RuntimeError), partcost.recompute.pool.WorkerPool(dsn, CALENDAR, 2) as pool:
        pool.run([Scope(2, 0)], None, lambda result: None, lambda: False)
        raise RuntimeError("lost the database connection")

    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []


def test_a_worker_that_died_idle_fails_the_next_scope_as_a_dead_worker_not_a_broken_pipe(dsn, factory):
    results = []
    with partcost.recompute.pool.WorkerPool(dsn, CALENDAR, 1) as pool:
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
        left = pool.run([Scope(2, 0), Scope(2, 1)], None, results.append, lambda: False)

    assert [(result.scope, result.error) for result in results] == [
        (Scope(2, 0), partcost.recompute.pool.WORKER_DIED)
    ]
    assert left == [Scope(2, 1)]


def test_a_worker_ignores_ctrl_c_from_its_first_instant(dsn):
    """The terminal sends Ctrl-C to the whole process group: a worker still importing polars (half a
    second, spawned) must not die of it with a traceback; the parent handles it (StopSignal)."""
    with partcost.recompute.pool.WorkerPool(dsn, CALENDAR, workers=2) as pool:
        ignored = [signals_ignored(worker.process.pid) for worker in pool._processes]

    assert all(signal.SIGINT in each for each in ignored), ignored
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the parent's is back


def signals_ignored(pid: int) -> set:
    mask = next(
        int(line.split()[1], 16)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("SigIgn:")
    )
    return {number for number in range(1, 65) if mask & (1 << (number - 1))}
