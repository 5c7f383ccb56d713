"""PostgreSQL stops and starts again while a recompute is inside a partition."""

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


@pytest.fixture
def restartable(embedded_server):
    if embedded_server is None:
        pytest.skip("PARTCOST_TEST_DSN names a server these tests cannot restart")
    yield embedded_server
    embedded_server.start(durable=False)  # the rest of the session needs it, whatever happened


def test_a_restart_mid_run_ends_with_one_clear_message_and_the_next_run_converges(
    dsn, factory, restartable, tmp_path
):
    stop_file = str(tmp_path / "stop")
    with holding_slots(dsn, partition_slots(1, 4)):
        process = start(dsn, "recompute", "--partitions", "4", "--workers", "2", "--stop-file", stop_file)
        wait_for(lambda: committed_partitions(dsn) == 3, "partitions 0, 2 and 3 to commit", process=process)
        wait_for(lambda: blocked_worker_pids(dsn), "a worker waiting in partition 1")
        restartable.stop()
        restartable.start(durable=False)
    status, output = process.finish()

    assert status == 1, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert errors[0].startswith("Error: lost the database connection during the run (")
    assert errors[0].endswith("3 of 4 partitions committed — run `partcost recompute --resume` to finish")
    assert "Traceback" not in output
    assert_partial_rows_are_exact(dsn)

    status, output = run(dsn, "recompute", "--resume", "--workers", "2", "--stop-file", stop_file)
    assert status == 0, output
    assert_equals_reference(dsn)
