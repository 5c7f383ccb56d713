"""Run scopes on a pool of worker processes, each with its own connection, and stop gracefully.

Graceful stop (stop file, first Ctrl-C, SIGTERM): no new scope starts, scopes in flight finish and
commit. Abort (second Ctrl-C): workers are killed at once, so PostgreSQL rolls back what was in flight.
Workers ignore Ctrl-C themselves (the terminal sends it to the whole process group) and die with the
parent (``PR_SET_PDEATHSIG``), so a killed parent leaves no worker holding a transaction open."""

import ctypes
import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Optional

import psycopg2

from engine.changes import Reference
from engine.db import database_error_message
from engine.errors import PartcostError
from engine.load import Scope
from engine.split import WorkCalendar
from engine.worker import ScopeResult, Worker

POLL_SECONDS = 0.2
WORKER_DIED = "a worker process died (killed?); the partition's transaction was rolled back"
_worker: Optional[Worker] = None
_start_error: Optional[str] = None  # why this process could not become a worker


def die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: workers notice the parent's death when their pipe breaks


def describe_failure(error: Exception) -> str:
    """One line for any failure inside a worker: it must reach the operator as a failed scope or
    drainer, never as a traceback from a child process."""
    if isinstance(error, PartcostError):
        return error.message
    if isinstance(error, psycopg2.Error):
        return database_error_message(error)
    return f"internal error: {type(error).__name__}: {error}"


def start_worker_process(dsn: str, calendar: WorkCalendar, application_name: str) -> tuple:
    """(this process's Worker, None), or (None, why it could not start)."""
    try:
        return Worker(dsn, calendar, application_name=application_name), None
    except Exception as error:
        return None, describe_failure(error)


def _start_worker(dsn: str, calendar: WorkCalendar, parent_pid: int) -> None:
    global _worker, _start_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if os.getppid() != parent_pid:
        os._exit(1)
    _worker, _start_error = start_worker_process(
        dsn, calendar, f"partcost recompute worker pid={os.getpid()} (parent {parent_pid})")


def _run_scope(scope: Scope, run_id: Optional[int], reference: Optional[Reference] = None) -> ScopeResult:
    if _worker is None:
        return ScopeResult(scope, error=f"its worker could not start: {_start_error}")
    return run_scope_safely(_worker, scope, run_id, reference=reference)


def run_scope_safely(worker: Worker, scope: Scope, run_id: Optional[int] = None,
                     before_commit: Optional[Callable] = None, reference: Optional[Reference] = None) -> ScopeResult:
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
        self._previous = {}

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


def _ready() -> bool:
    return _worker is not None


class WorkerPool:
    """Worker processes started on entry — they connect and load prices while the parent takes its
    locks and plans — and killed on an abort.

    ``fork=True`` forks the workers from the caller, so they start at once instead of importing
    numpy and polars again (about half a second each). It is only safe from a process that has not
    yet run any polars work: a forked child has none of polars' worker threads and would hang on its
    first parallel operation. A fresh `partcost recompute` process qualifies (cli/main.py); anything
    else — tests, the demo, the night run — gets spawned workers."""

    def __init__(self, dsn: str, calendar: WorkCalendar, workers: int, fork: bool = False):
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
            initializer=_start_worker, initargs=(dsn, calendar, os.getpid()))

    def __enter__(self) -> "WorkerPool":
        self._warming = [self._executor.submit(_ready) for _ in range(self.workers)]
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.kill()
        # Always wait, also after a kill: an executor whose manager thread is still tearing down at
        # interpreter exit races concurrent.futures' own exit hook (which then writes to a closed
        # wake-up pipe and prints "OSError: Bad file descriptor").
        self._executor.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        for process in list((getattr(self._executor, "_processes", None) or {}).values()):
            process.kill()

    def run(self, scopes: Iterable[Scope], run_id: Optional[int], on_result: Callable[[ScopeResult], None],
            should_stop: Callable[[], bool], reference: Optional[Reference] = None) -> list:
        """Run ``scopes`` (of full run ``run_id`` and its change-scan ``reference``, if any), at most one
        per worker at a time; returns the scopes that were never run.
        A dead worker breaks the pool: its scope and those in flight come back as failed results
        (their transactions rolled back) and nothing more starts. KeyboardInterrupt kills the workers."""
        pending, in_flight, broken = list(scopes), {}, False
        try:
            while (pending or in_flight) and not broken:
                while pending and len(in_flight) < self.workers and not should_stop():
                    scope = pending.pop(0)
                    in_flight[self._executor.submit(_run_scope, scope, run_id, reference)] = scope
                if not in_flight:
                    break
                done, _ = wait(in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    scope = in_flight.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        result, broken = ScopeResult(scope, error=WORKER_DIED), True
                    except Exception as error:  # e.g. a result that could not be sent back
                        result = ScopeResult(scope, error=describe_failure(error))
                    on_result(result)
        except KeyboardInterrupt:
            self.kill()
            raise
        return list(in_flight.values()) + pending
