"""The migration's speed goal: migrate-tasks + migrate-costs + validate for 100,000 tasks with 500,000
timers in at most 30 s, through the CLI. One round, on a fresh database filled by
generate_migration_data.sql (faster to build than `seed`, and with awkward keys).

    pytest benchmarks/test_migration_speed.py --benchmark-only
"""

from pathlib import Path

import psycopg2

from benchmarks.conftest import TIMERS_PER_TASK
from tests.support.migration_runs import run

GENERATOR = Path(__file__).with_name("generate_migration_data.sql")


def fill(dsn, tasks, timers_per_task=TIMERS_PER_TASK):
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        cur.execute(GENERATOR.read_text(), {"tasks": tasks, "timers_per_task": timers_per_task})
    conn.commit()
    conn.close()


def night_migration(dsn):
    return [run(dsn, command).exit_code for command in ("migrate-tasks", "migrate-costs", "validate")]


def test_migration_of_the_reference_size(benchmark, bench_tasks, dsn):
    fill(dsn, bench_tasks)

    exit_codes = benchmark.pedantic(night_migration, args=(dsn,), rounds=1, iterations=1)

    assert exit_codes == [0, 0, 0]
