"""``partcost drain-queue``: recompute the parts the app queued in tasks_partcostrecalcqueue.

Each batch is one transaction: claim queued rows (``FOR UPDATE SKIP LOCKED``, so drainers never share
a part), recompute those parts, delete the queue rows that were not bumped meanwhile, commit.
Invariants: a part that fails stays queued, with its ``enqueued_at``, and this drainer tries it again
only once the app bumps it; one poisoned part never holds back the others of its batch (a batch that
fails whole is drained again part by part); a drainer process that dies fails the run."""

import contextlib
import multiprocessing
import os
import queue as stdlib_queue
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partcost.db.sql_files import sql_file
from partcost.errors import ExitStatus
from partcost.recompute.ledger import RunStatus
from partcost.recompute.pool import (
    StopSignal,
    become_worker,
    ctrl_c_ignored,
    describe_failure,
    run_scope_safely,
)
from partcost.recompute.run import Summary, check_stop_file, check_workers, connect_checked
from partcost.recompute.scope import Scope
from partcost.recompute.split import WorkCalendar
from partcost.recompute.worker import ScopeResult, Worker
from partcost.recompute.write import WriteCounts


@dataclass(frozen=True)
class DrainOptions:
    once: bool = False  # stop when the queue is empty instead of waiting for more
    batch_size: int = 500
    poll_seconds: float = 1.0


def drain_batch(worker: Worker, options: DrainOptions, skip: set) -> ScopeResult | None:
    """Claim, recompute and dequeue one batch; None when nothing is queued (for this drainer).
    ``skip`` holds the (part, enqueued_at) this drainer failed on."""
    claimed = _claim(worker, skip, options.batch_size)
    if not claimed:
        return None
    result = _recompute_claimed(worker, claimed)
    if result.error and len(claimed) > 1:
        result = _part_by_part(worker, [key for key, _ in claimed], skip)
    failed = {key for key, _ in result.failed} if not result.error else {key for key, _ in claimed}
    skip.update((key, at) for key, at in claimed if key in failed)
    return result


def _claim(worker: Worker, skip: set, batch_size: int, only: list | None = None) -> list:
    with worker.conn.cursor() as cur:
        cur.execute(
            sql_file("recompute/claim_queue_batch"),
            {
                "skip_parts": [key for key, _ in skip],
                "skip_enqueued_at": [at for _, at in skip],
                "only": only,
                "batch_size": batch_size,
            },
        )
        claimed = cur.fetchall()
    if not claimed:
        worker.conn.rollback()
    return claimed


def _recompute_claimed(worker: Worker, claimed: list) -> ScopeResult:
    """Recompute the claimed parts and, in the same transaction, dequeue those that did not fail."""

    def dequeue(conn, result: ScopeResult) -> None:
        failed = {key for key, _ in result.failed}
        drained = [(key, at) for key, at in claimed if key not in failed]
        with conn.cursor() as cur:
            cur.execute(
                sql_file("recompute/delete_drained_queue_rows"),
                {"part_ids": [key for key, _ in drained], "enqueued_at": [at for _, at in drained]},
            )

    return run_scope_safely(worker, Scope.keys([key for key, _ in claimed]), before_commit=dequeue)


def _part_by_part(worker: Worker, keys: list, skip: set) -> ScopeResult:
    """Drain the parts of a batch that failed whole one at a time: only the culprits fail."""
    merged = ScopeResult(Scope.keys(keys), counts=WriteCounts())
    for key in keys:
        claimed = _claim(worker, skip, 1, only=[key])
        if not claimed:
            continue  # drained or claimed by another drainer meanwhile
        result = _recompute_claimed(worker, claimed)
        merged.parts += result.parts
        merged.failed += [(key, result.error)] if result.error else result.failed
        merged.counts += result.counts
        merged.seconds += result.seconds
    return merged


def drain_loop(
    worker: Worker,
    options: DrainOptions,
    should_stop: Callable[[], bool],
    on_result: Callable[[ScopeResult], None],
) -> bool:
    """Drain until stopped (or, ``once``, until the queue is empty); False if the loop itself failed
    (a lost connection, say), which is reported as a failed result too, never as a traceback."""
    skip: set[tuple[str, Any]] = set()  # (part key, enqueued_at) pairs that failed
    try:
        while not should_stop():
            result = drain_batch(worker, options, skip)
            if result is not None:
                on_result(result)
            elif options.once:
                break
            else:
                time.sleep(options.poll_seconds)
    except Exception as error:
        on_result(ScopeResult(Scope.keys([]), error=f"a drainer stopped: {describe_failure(error)}"))
        return False
    return True


def drain_queue(
    dsn: str,
    calendar: WorkCalendar,
    workers: int,
    stop_file: Path,
    options: DrainOptions,
    on_progress: Callable[[Summary], None] = lambda s: None,
    on_notice: Callable[[str], None] = lambda m: None,
) -> Summary:
    check_workers(workers)
    check_stop_file(stop_file, on_notice)
    started = time.monotonic()
    connect_checked(dsn).close()
    summary = Summary()

    def on_result(result: ScopeResult) -> None:
        summary.add(result)
        summary.partitions += 1
        on_progress(summary)

    with StopSignal(
        lambda: on_notice("Stopping after the batches in flight (Ctrl-C again to abort)...")
    ) as sig:
        should_stop = lambda: sig.requested or stop_file.exists()
        if workers == 1:
            worker = Worker(dsn, calendar, application_name=f"partcost drain-queue pid={os.getpid()}")
            try:
                drain_loop(worker, options, should_stop, on_result)
            finally:
                worker.close()
        else:
            for drainer, why in _drain_in_processes(dsn, calendar, workers, options, should_stop, on_result):
                summary.failed.append((drainer, why))
    if should_stop():
        summary.status = RunStatus.CANCELLED if options.once else RunStatus.COMPLETE
    stop_file.unlink(missing_ok=True)
    summary.partitions_done = summary.partitions
    summary.seconds = time.monotonic() - started
    return summary


def _drain_in_processes(dsn, calendar, workers, options, should_stop, on_result) -> list:
    """Run the drainer processes until they are done; returns [(drainer, why)] for each that died
    (one that exits FAILED has reported why itself).
    A drainer that died or failed stops the others (gracefully), so that a run that is no longer whole
    ends and says so; the batch it had in flight was rolled back and stays queued."""
    context = multiprocessing.get_context("spawn")
    stop, results, turn = context.Event(), context.Queue(), context.Lock()
    processes = [
        context.Process(
            target=_drain_process, args=(dsn, calendar, options, stop, results, os.getpid(), turn)
        )
        for _ in range(workers)
    ]
    with ctrl_c_ignored():  # as the recompute's workers (WorkerPool): none dies of it while importing
        for process in processes:
            process.start()
    ended: dict[int, int] = {}  # pid -> exit status
    try:
        while any(p.is_alive() for p in processes) or not results.empty():
            if should_stop() or ended:
                stop.set()
            with contextlib.suppress(stdlib_queue.Empty):
                on_result(results.get(timeout=0.2))
            ended.update(
                (p.pid, p.exitcode) for p in processes if p.pid is not None and p.exitcode not in (None, 0)
            )
    except KeyboardInterrupt:
        for process in processes:
            process.kill()
        raise
    return [
        (
            f"drainer pid={pid}",
            f"the drainer process died (exit status {code}{', killed?' if code < 0 else ''}); "
            "its batch in flight was rolled back and stays queued",
        )
        for pid, code in ended.items()
        if code != ExitStatus.FAILED
    ]


def _drain_process(dsn, calendar, options, stop, results, parent_pid, turn) -> None:
    worker, start_error = become_worker(dsn, calendar, "drain-queue", parent_pid, turn)
    if worker is None:
        results.put(ScopeResult(Scope.keys([]), error=f"a drainer could not start: {start_error}"))
        return
    try:
        whole = drain_loop(worker, options, stop.is_set, results.put)
    finally:
        worker.close()
    if not whole:
        sys.exit(ExitStatus.FAILED)
