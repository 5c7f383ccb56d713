"""partcost's drain-queue beside the app's own drainer (per part, ``SKIP LOCKED``, cost rows
rewritten by DELETE + INSERT): both drain the same queue at once, no part is ever half-written,
nothing fails but what partcost reports as another writer's, and the next full recompute is exact."""

import re
import subprocess
import sys

from django.db import connections

from partcost.recompute.scope import LOCK_NAMESPACE, LOCK_SLOTS
from tests.support.cost_checks import assert_equals_reference, assert_no_half_written_part
from tests.support.django_project import PROJECT, environment_for
from tests.support.processes import holding_slots, wait_for

ANOTHER_WRITER = "another writer changed its cost rows"


def test_partcost_and_the_app_drain_the_same_queue_side_by_side(factory):
    """partcost claims a batch and is held on its parts' lock slots while the app drains the rest
    of the queue around the rows partcost holds; then both finish."""
    sys.path.insert(0, str(PROJECT))
    from tasks.drainer import drain_like_the_app

    factory.call("migrate_tasks_to_parts")
    factory.call("migrate_job_costs")
    factory.query(
        "INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) SELECT key, now() FROM tasks_part"
        " ON CONFLICT (part_id) DO NOTHING"
    )
    queued = queue_length(factory)

    with holding_slots(factory.dsn, range(LOCK_SLOTS)):
        partcost = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "partcost_drain_queue",
                "--once",
                "--workers",
                "1",
                "--batch-size",
                "10",
            ],
            cwd=PROJECT,
            env=environment_for(factory.dsn),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for(
            lambda: partcost.poll() is not None or waiting_on_slots(factory), "partcost held on its slots"
        )
        by_the_app = failed_in_the_app = 0
        while True:
            processed, failed = drain_like_the_app(max_rows=50)
            by_the_app, failed_in_the_app = by_the_app + processed, failed_in_the_app + failed
            if processed == 0:
                break
        connections.close_all()
    out, _ = partcost.communicate(timeout=300)

    assert failed_in_the_app == 0
    assert 0 < by_the_app < queued
    assert partcost.returncode in (0, 1), out
    successful = re.search(r"^Successful: (\d+)$", out, re.MULTILINE)
    assert successful and int(successful[1]) > 0, out
    failures = re.findall(r"^  ✗ (.*)$", out, re.MULTILINE)
    assert all(ANOTHER_WRITER in line for line in failures), failures
    assert (partcost.returncode == 1) == bool(failures)
    assert queue_length(factory) == 0
    with factory.connect() as conn:
        assert_no_half_written_part(conn)

    done = factory.manage("recompute_part_costs", "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert_equals_reference(factory.dsn)


def queue_length(factory) -> int:
    return factory.query("SELECT count(*) FROM tasks_partcostrecalcqueue")[0][0]


def waiting_on_slots(factory) -> bool:
    return factory.query(
        "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND NOT granted",
        (LOCK_NAMESPACE,),
    )[0][0]
