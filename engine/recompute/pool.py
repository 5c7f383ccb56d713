"""Run scopes on a pool of worker processes, each with its own connection, and stop gracefully.

Graceful stop (stop file, first Ctrl-C, SIGTERM): no new scope starts, scopes in flight finish and
commit. Abort (second Ctrl-C): workers are killed at once, so PostgreSQL rolls back what was in flight.
Workers ignore Ctrl-C themselves (the terminal sends it to the whole process group) and die with the
parent (``PR_SET_PDEATHSIG``), so a killed parent leaves no worker holding a transaction open."""

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg2

from partcost.db.connections import database_error_message
from partcost.errors import ExitStatus, PartcostError
from partcost.recompute.changes import Reference
from partcost.recompute.scope import Scope
from partcost.recompute.split import WorkCalendar
from partcost.recompute.worker import ScopeResult, Worker

POLL_SECONDS = 0.2
JOIN_SECONDS = 5.0  # for an idle worker to close its connection and exit before it is killed
TURN_SECONDS = 30.0  # the longest a worker waits for its turn to connect before it connects anyway
WORKER_DIED = "a worker process died (killed?); the partition's transaction was rolled back"


def die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: workers notice the parent's death when their pipe breaks


@contextmanager
def ctrl_c_ignored():
    """SIGINT ignored in this process meanwhile: a child started now ignores it too (an ignored signal
    stays ignored across exec, and Python then installs no KeyboardInterrupt handler). Only the main
    thread may change it; elsewhere Ctrl-C is not this thread's to handle anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def in_turn(turn):
    """Connect while holding ``turn``, a lock the parent shares with all its workers: PostgreSQL
    counts the backends still starting up against a role's or database's connection limit, so workers
    connecting at the same instant can all be refused where the limit leaves room for some of them.
    One at a time, each of them gets a connection while one is left. A worker killed while holding
    it (never released) holds up the others only for TURN_SECONDS."""
    taken = turn.acquire(timeout=TURN_SECONDS)
    try:
        yield
    finally:
        if taken:
            turn.release()


def describe_failure(error: Exception) -> str:
    """One line for any failure inside a worker: it must reach the operator as a failed scope or
    drainer, never as a traceback from a child process."""
    if isinstance(error, PartcostError):
        return error.message
    if isinstance(error, psycopg2.Error):
        return database_error_message(error)
    return f"internal error: {type(error).__name__}: {error}"


def become_worker(dsn: str, calendar: WorkCalendar, command: str, parent_pid: int, turn) -> tuple:
    """The first thing a worker process does: leave Ctrl-C to the parent, die with it, and connect
    (``in_turn``). Returns (its Worker, None), or (None, why it could not start)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before PR_SET_PDEATHSIG was set
        os._exit(ExitStatus.FAILED)
    try:
        return Worker(
            dsn,
            calendar,
            application_name=f"partcost {command} worker pid={os.getpid()} (parent {parent_pid})",
            connecting=in_turn(turn),
        ), None
    except Exception as error:
        return None, describe_failure(error)


def _serve(channel, dsn: str, calendar: WorkCalendar, parent_pid: int, turn) -> None:
    """A worker process: run each (scope, run id, reference) the parent sends and send back its
    result, until the parent sends None or is gone."""
    worker, start_error = become_worker(dsn, calendar, "recompute", parent_pid, turn)
    try:
        while (task := _receive(channel)) is not None:
            scope, run_id, reference = task
            if worker is None:
                _send(channel, ScopeResult(scope, error=f"its worker could not start: {start_error}"))
            else:
                _send(channel, run_scope_safely(worker, scope, run_id, reference=reference))
    finally:
        if worker is not None:
            worker.close()
    os._exit(ExitStatus.OK)  # nothing left to flush: skip the interpreter's teardown (polars', 0.1 s)


def _receive(channel):
    try:
        return channel.recv()
    except EOFError:  # the parent closed its end
        return None


def _send(channel, result: ScopeResult) -> None:
    try:
        channel.send(result)
    except OSError:
        raise  # the parent is gone
    except Exception as error:  # a result that cannot be pickled: it fails its scope instead
        channel.send(ScopeResult(result.scope, error=describe_failure(error)))


def run_scope_safely(
    worker: Worker,
    scope: Scope,
    run_id: int | None = None,
    before_commit: Callable | None = None,
    reference: Reference | None = None,
) -> ScopeResult:
    """Any failure of a scope becomes a failed result (rolled back), so the others still run."""
    try:
        if reference is None:  # (a drainer: no run, no reference)
            return worker.recompute(scope, run_id, before_commit)
        return worker.recompute(scope, run_id, before_commit, reference=reference)
    except Exception as error:
        return ScopeResult(scope, error=describe_failure(error))


class StopSignal:
    """First Ctrl-C or SIGTERM asks for a graceful stop; a second Ctrl-C aborts."""

    def __init__(self, on_first: Callable[[], None]):
        self.requested = False
        self._on_first = on_first
        self._previous: dict[int, Any] = {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum, frame):
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True
        self._on_first()


@dataclass(eq=False)
class _WorkerProcess:
    process: multiprocessing.process.BaseProcess
    channel: multiprocessing.connection.Connection  # the parent's end of its pipe


class WorkerPool:
    """Worker processes started on entry — they connect and load prices while the parent takes its
    locks and plans — each fed one scope at a time through its own pipe, and killed on an abort.

    ``fork=True`` forks the workers from the caller, so they start at once instead of importing
    numpy and polars again (about half a second each). It is only safe from a process that has not
    yet run any polars work: a forked child has none of polars' worker threads and would hang on its
    first parallel operation. A fresh `partcost recompute` process qualifies (partcost.cli.main); anything
    else — tests, the demo, the night run — gets spawned workers."""

    def __init__(self, dsn: str, calendar: WorkCalendar, workers: int, fork: bool = False):
        self.workers = workers
        self._context: Any = multiprocessing.get_context("fork" if fork else "spawn")
        self._args = (dsn, calendar, os.getpid(), self._context.Lock())  # the last: whose turn to connect
        self._processes: list[_WorkerProcess] = []

    def __enter__(self) -> "WorkerPool":
        try:
            with ctrl_c_ignored():  # inherited from the start: a worker still importing prints no traceback
                for _ in range(self.workers):
                    channel, child_channel = self._context.Pipe()
                    process = self._context.Process(
                        target=_serve, args=(child_channel, *self._args), daemon=True
                    )
                    process.start()
                    child_channel.close()
                    self._processes.append(_WorkerProcess(process, channel))
        except BaseException:
            self.kill()
            self._stop()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """After an error the workers are killed, so nothing they had in flight commits."""
        if exc_type is not None:
            self.kill()
        self._stop()

    def _stop(self) -> None:
        """Tell the workers to close their connections and exit, and wait until they have."""
        for worker in self._processes:
            try:
                worker.channel.send(None)
            except OSError:
                pass  # already gone
        for worker in self._processes:
            worker.process.join(JOIN_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.channel.close()
        self._processes = []

    def kill(self) -> None:
        for worker in self._processes:
            worker.process.kill()

    def run(
        self,
        scopes: Iterable[Scope],
        run_id: int | None,
        on_result: Callable[[ScopeResult], None],
        should_stop: Callable[[], bool],
        reference: Reference | None = None,
    ) -> list:
        """Run ``scopes`` (of full run ``run_id`` and its change-scan ``reference``, if any), at most one
        per worker at a time; returns the scopes that were never run.
        A dead worker breaks the pool: the others are killed, the scopes in flight come back as
        failed results (their transactions rolled back) and nothing more starts. KeyboardInterrupt
        kills the workers."""
        pending = list(scopes)
        busy: dict[_WorkerProcess, Scope] = {}  # worker -> the scope it is running
        try:
            while pending or busy:
                for worker in self._processes:
                    if pending and worker not in busy and not should_stop():
                        busy[worker] = pending.pop(0)
                        self._hand_over(worker, (busy[worker], run_id, reference))
                if not busy:
                    break
                multiprocessing.connection.wait(
                    [w.channel for w in self._processes] + [w.process.sentinel for w in self._processes],
                    POLL_SECONDS,
                )
                for worker in list(busy):
                    result = self._result(worker, busy[worker])
                    if result is not None:
                        del busy[worker]
                        on_result(result)
                if any(not worker.process.is_alive() for worker in self._processes):
                    self.kill()
                    for scope in list(busy.values()) or [Scope.keys([])]:  # (an idle worker died)
                        on_result(ScopeResult(scope, error=WORKER_DIED))
                    return pending
        except KeyboardInterrupt:
            self.kill()
            raise
        return pending

    @staticmethod
    def _hand_over(worker: _WorkerProcess, task: tuple) -> None:
        try:
            worker.channel.send(task)
        except OSError:  # it died while idle: the scope is reported with the dead worker's
            pass

    @staticmethod
    def _result(worker: _WorkerProcess, scope: Scope) -> ScopeResult | None:
        """The worker's result for ``scope`` if it has sent it, else None (still at work, or died)."""
        try:
            return worker.channel.recv() if worker.channel.poll() else None
        except (EOFError, OSError):  # died, perhaps in the middle of sending
            return None
        except Exception as error:  # a result that could not be read back
            return ScopeResult(scope, error=describe_failure(error))
