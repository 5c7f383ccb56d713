"""``partcost drain-queue``: recompute the parts the app queued in tasks_partcostrecalcqueue.

Each batch is one transaction: claim queued rows (``FOR UPDATE SKIP LOCKED``, so drainers never share
a part), recompute those parts, delete the queue rows that were not bumped meanwhile, commit. A part
that fails stays queued and is skipped for the rest of this drain."""

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from engine.db import sql_file
from engine.load import Scope
from engine.pool import StopSignal, _die_with_parent, run_scope_safely, start_worker_process
from engine.recompute import Summary, _check_database, check_workers
from engine.split import WorkCalendar
from engine.worker import ScopeResult, Worker


@dataclass(frozen=True)
class DrainOptions:
    once: bool = False           # stop when the queue is empty instead of waiting for more
    batch_size: int = 500
    poll_seconds: float = 1.0


def drain_batch(worker: Worker, options: DrainOptions, skip: set) -> ScopeResult:
    """Claim, recompute and dequeue one batch; None when nothing is queued (for this drainer)."""
    with worker.conn.cursor() as cur:
        cur.execute(sql_file("claim_queue_batch"), {"skip": sorted(skip), "batch_size": options.batch_size})
        claimed = cur.fetchall()
    if not claimed:
        worker.conn.rollback()
        return None
    keys = [key for key, _ in claimed]

    def dequeue(conn) -> None:
        with conn.cursor() as cur:
            cur.execute(sql_file("delete_drained_queue_rows"),
                        {"part_ids": keys, "enqueued_at": [at for _, at in claimed]})

    result = run_scope_safely(worker, Scope.keys(keys), before_commit=dequeue)
    skip.update(keys if result.error else [key for key, _ in result.failed])
    return result


def drain_loop(worker: Worker, options: DrainOptions, should_stop: Callable[[], bool],
               on_result: Callable[[ScopeResult], None]) -> None:
    skip = set()
    while not should_stop():
        result = drain_batch(worker, options, skip)
        if result is not None:
            on_result(result)
        elif options.once:
            return
        else:
            time.sleep(options.poll_seconds)


def drain_queue(dsn: str, calendar: WorkCalendar, workers: int, stop_file: Path, options: DrainOptions,
                on_progress: Callable[[Summary], None] = lambda s: None,
                on_notice: Callable[[str], None] = lambda m: None) -> Summary:
    check_workers(workers)
    started = time.monotonic()
    _check_database(dsn).close()
    summary = Summary()

    def on_result(result: ScopeResult) -> None:
        summary.add(result)
        summary.partitions += 1
        on_progress(summary)

    with StopSignal(lambda: on_notice("Stopping after the batches in flight (Ctrl-C again to abort)...")) as sig:
        should_stop = lambda: sig.requested or stop_file.exists()
        if workers == 1:
            worker = Worker(dsn, calendar, application_name=f"partcost drain-queue pid={os.getpid()}")
            try:
                drain_loop(worker, options, should_stop, on_result)
            finally:
                worker.close()
        else:
            _drain_in_processes(dsn, calendar, workers, options, should_stop, on_result)
    if should_stop():
        summary.status = "cancelled" if options.once else "complete"
    stop_file.unlink(missing_ok=True)
    summary.partitions_done = summary.partitions
    summary.seconds = time.monotonic() - started
    return summary


def _drain_in_processes(dsn, calendar, workers, options, should_stop, on_result) -> None:
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    processes = [context.Process(target=_drain_process, args=(dsn, calendar, options, stop, results, os.getpid()))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    try:
        while any(p.is_alive() for p in processes) or not results.empty():
            if should_stop():
                stop.set()
            try:
                on_result(results.get(timeout=0.2))
            except Exception:  # queue.Empty
                pass
    except KeyboardInterrupt:
        for process in processes:
            process.kill()
        raise


def _drain_process(dsn, calendar, options, stop, results, parent_pid) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent_pid:
        return
    worker, start_error = start_worker_process(
        dsn, calendar, f"partcost drain-queue worker pid={os.getpid()} (parent {parent_pid})")
    if worker is None:
        results.put(ScopeResult(Scope.keys([]), error=f"a drainer could not start: {start_error}"))
        return
    try:
        drain_loop(worker, options, stop.is_set, results.put)
    finally:
        worker.close()
