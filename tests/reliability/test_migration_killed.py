"""`partcost migrate-tasks` killed (SIGKILL) in the middle of a batch, then run again.

A test connection holds one timer row of the third batch's tasks, so migrate-tasks waits inside
that batch's transaction — parts and operations inserted, timers not yet moved — when it is killed.
The result is compared with an uninterrupted migration of the same data on a twin database."""

from contextlib import closing

import psycopg2
import pytest

from tests.conftest import TEMPLATE
from tests.support.builder import Builder
from tests.support.migration_runs import AWKWARD_KEYS, job_cost, run, snapshot
from tests.support.processes import kill, start, wait_for

BATCH = 8
TASKS = [f"M-{n:03}" for n in range(33)] + AWKWARD_KEYS


def tasks_to_migrate(conn) -> None:
    """Tasks with timers on them and their old cost rows, as the night finds them."""
    build = Builder(conn)
    worker, boss = build.user("worker"), build.user("boss")
    for n, key in enumerate(TASKS):
        build.task(key, job_no=f"J-{n % 4}", created_by_id=boss, created_at=1700000000000 + n)
        build.timer(worker, key, "2024-03-04 07:30", f"2024-03-04 {10 + n % 8}:00", on="task")
        build.timer(boss, key, "2024-03-10 09:00", "2024-03-10 10:30", on="task")
        job_cost(conn, key)
        job_cost(conn, key, worker)
    build.commit()


@pytest.fixture
def twin(pg):
    """A second database with the same rows, migrated without interruption."""
    name = pg.create_database(TEMPLATE)
    yield pg.dsn(name)
    pg.drop_database(name)


def rows(dsn, query, *params):
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def migrate_tasks_waiting(dsn) -> bool:
    return bool(
        rows(
            dsn,
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'partcost migrate-tasks'"
            " AND wait_event_type = 'Lock'",
        )
    )


def migrate_tasks_gone(dsn) -> bool:
    return not rows(dsn, "SELECT 1 FROM pg_stat_activity WHERE application_name = 'partcost migrate-tasks'")


def test_migrate_tasks_killed_mid_batch_then_run_again_completes_exactly(dsn, conn, twin):
    tasks_to_migrate(conn)
    with closing(psycopg2.connect(twin)) as twin_conn:
        tasks_to_migrate(twin_conn)
    for command in (["migrate-tasks", "--batch-size", str(BATCH)], ["migrate-costs"]):
        assert run(twin, *command).exit_code == 0

    third_batch_task = sorted(rows(dsn, "SELECT key FROM machining_task ORDER BY key"))[2 * BATCH + 3][0]
    holder = psycopg2.connect(dsn)
    with holder.cursor() as cur:
        cur.execute("SELECT id FROM tasks_timer WHERE object_id = %s LIMIT 1 FOR UPDATE", (third_batch_task,))
    process = start(dsn, "migrate-tasks", "--batch-size", str(BATCH))
    wait_for(
        lambda: migrate_tasks_waiting(dsn), "migrate-tasks to wait inside its third batch", process=process
    )
    kill(process.pid)
    process.finish()
    holder.rollback()
    holder.close()
    wait_for(lambda: migrate_tasks_gone(dsn), "the killed session's transaction to roll back")

    # Two whole batches committed, the third not at all: no part without its operation or timers.
    assert rows(dsn, "SELECT count(*) FROM tasks_part")[0][0] == 2 * BATCH
    assert (
        rows(
            dsn,
            "SELECT count(*) FROM tasks_part p WHERE (SELECT count(*) FROM tasks_operation o"
            " WHERE o.part_id = p.key) <> 1",
        )[0][0]
        == 0
    )
    assert (
        rows(
            dsn,
            "SELECT count(*) FROM tasks_timer t JOIN tasks_part p ON p.task_key = t.object_id"
            " JOIN django_content_type c ON c.id = t.content_type_id WHERE c.model = 'task'",
        )[0][0]
        == 0
    )

    again = run(dsn, "migrate-tasks", "--batch-size", str(BATCH))
    assert again.exit_code == 0, again.output
    assert f"Skipped:     {2 * BATCH}" in again.output
    assert run(dsn, "migrate-costs").exit_code == 0
    validation = run(dsn, "validate")
    assert validation.exit_code == 0, validation.output
    assert "VALIDATION PASSED" in validation.output
    assert snapshot(dsn) == snapshot(twin)
