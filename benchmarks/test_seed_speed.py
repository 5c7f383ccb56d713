"""How long `partcost seed` takes for the reference size: 100,000 tasks × 5 timers
(goal: at most 20 s on the 2-core reference machine).

Run with ``pytest benchmarks/test_seed_speed.py --benchmark-only``. The test server runs with fsync
off; `time partcost seed` on the (durable) embedded default is the figure docs/performance.md quotes first."""

import psycopg2

from benchmarks.conftest import TIMERS_PER_TASK
from partcost.tools.seed import SeedOptions, seed


def test_seed_reference_size(benchmark, bench_tasks, fresh_dsns):
    def seed_into(dsn):
        with psycopg2.connect(dsn) as conn:
            return seed(conn, SeedOptions(tasks=bench_tasks, timers_per_task=TIMERS_PER_TASK))

    written = benchmark.pedantic(seed_into, setup=lambda: ((fresh_dsns(),), {}), rounds=3)

    assert written["machining_task"] == bench_tasks
