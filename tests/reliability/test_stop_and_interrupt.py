"""The stop file, `partcost stop`, Ctrl-C, SIGTERM and a double Ctrl-C, each at a moment
drawn at random (seeded: set PARTCOST_RELIABILITY_SEED to draw others). A moment is a pair of
partitions a < b out of 8 whose slots are held: one worker waits in a, the other commits the
partitions before b and then waits in b; the stop lands then, and the held slots are let go."""

import os
import random
import signal

import pytest

from tests.support.cost_checks import assert_equals_reference, assert_partial_rows_are_exact
from tests.support.processes import (
    blocked_worker_pids,
    committed_partitions,
    holding_slots,
    partition_slots,
    run,
    start,
    wait_for,
)

PARTITIONS = 8
SEED = int(os.environ.get("PARTCOST_RELIABILITY_SEED", "20241127"))
STOPS = ["stop file", "partcost stop", "Ctrl-C", "SIGTERM", "Ctrl-C twice"]


def random_moments(seed: int) -> list:
    draw = random.Random(seed)
    return [(stop, *sorted(draw.sample(range(PARTITIONS - 1), 2))) for stop in STOPS]


def request_stop(how: str, process, stop_file, dsn) -> None:
    if how == "stop file":
        stop_file.touch()
    elif how == "partcost stop":
        assert run(dsn, "stop", "--stop-file", str(stop_file))[0] == 0
    elif how == "SIGTERM":
        process.signal(signal.SIGTERM)
    else:
        process.signal(signal.SIGINT)
    if how != "stop file" and how != "partcost stop":
        process.wait_for_line("Stopping after the partitions in flight")
    if how == "Ctrl-C twice":
        process.signal(signal.SIGINT)
        wait_for(lambda: not process.running(), "the aborted run to exit")


@pytest.mark.parametrize("how, first, second", random_moments(SEED))
def test_a_stop_at_any_moment_leaves_exact_parts_and_resume_converges(
    dsn, factory, tmp_path, how, first, second
):
    stop_file = tmp_path / "recompute_part_costs.stop"
    slots = partition_slots(first, PARTITIONS) + partition_slots(second, PARTITIONS)
    with holding_slots(dsn, slots):
        process = start(
            dsn, "recompute", "--partitions", str(PARTITIONS), "--workers", "2", "--stop-file", str(stop_file)
        )
        wait_for(
            lambda: len(blocked_worker_pids(dsn)) == 2,
            f"workers waiting in partitions {first} and {second}",
            process=process,
        )
        assert committed_partitions(dsn) == second - 1
        request_stop(how, process, stop_file, dsn)
    status, output = process.finish()

    aborted = how == "Ctrl-C twice"
    assert status == (130 if aborted else 3), output
    assert ("Error: interrupted" if aborted else "RECOMPUTATION CANCELLED") in output
    assert "Traceback" not in output
    assert committed_partitions(dsn) == second - 1 + (0 if aborted else 2)
    assert_partial_rows_are_exact(dsn)

    status, output = run(dsn, "recompute", "--resume", "--workers", "2", "--stop-file", str(stop_file))
    assert status == 0, output
    assert_equals_reference(dsn)
