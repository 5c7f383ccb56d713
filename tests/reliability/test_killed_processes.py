"""A worker, then the parent, killed with SIGKILL in the middle of a recompute.

Partition 1 of 4 is held (see processes.py), so one worker sits inside partition 1's transaction
while the other commits partitions 0, 2 and 3; the kill lands then."""

import psutil

from tests.support.cost_checks import assert_equals_reference, assert_partial_rows_are_exact
from tests.support.processes import (
    blocked_worker_pids,
    committed_partitions,
    holding_slots,
    kill,
    partition_slots,
    run,
    run_lock_held,
    start,
    wait_for,
    workers_of,
)

RUN = ("recompute", "--partitions", "4", "--workers", "2")


def test_a_killed_worker_is_reported_and_resume_finishes(dsn, factory, tmp_path):
    with holding_slots(dsn, partition_slots(1, 4)):
        process = start(dsn, *RUN, "--stop-file", str(tmp_path / "stop"))
        wait_for(lambda: committed_partitions(dsn) == 3, "partitions 0, 2 and 3 to commit", process=process)
        [victim] = wait_for(lambda: blocked_worker_pids(dsn), "the worker waiting in partition 1")
        kill(victim)
    status, output = process.finish()

    assert status == 1, output
    assert "a worker process died" in output
    assert "Not done: 1 of 4 partitions (1)" in output
    assert "Traceback" not in output
    assert_partial_rows_are_exact(dsn)

    status, output = run(
        dsn, "recompute", "--resume", "--workers", "2", "--stop-file", str(tmp_path / "stop")
    )
    assert status == 0, output
    assert "3/4 partitions already committed" in output
    assert_equals_reference(dsn)


def test_a_killed_parent_takes_its_workers_and_the_run_lock_with_it(dsn, factory, tmp_path):
    with holding_slots(dsn, partition_slots(1, 4)):
        process = start(dsn, *RUN, "--stop-file", str(tmp_path / "stop"))
        wait_for(lambda: blocked_worker_pids(dsn), "a worker waiting in partition 1", process=process)
        workers = workers_of(process)
        assert len(workers) >= 2
        kill(process.pid)
        process.finish()
        gone, lingering = psutil.wait_procs(workers, timeout=5)
        assert lingering == []
    wait_for(lambda: not run_lock_held(dsn), "the run lock to be released", timeout=5)
    assert_partial_rows_are_exact(dsn)

    status, output = run(
        dsn, "recompute", "--resume", "--workers", "2", "--stop-file", str(tmp_path / "stop")
    )
    assert status == 0, output
    assert_equals_reference(dsn)
