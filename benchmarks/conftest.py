"""The benchmarks use the tests' embedded PostgreSQL and fresh databases, at one size for all:
``PARTCOST_BENCH_TASKS`` machining tasks (default 100,000, the reference size the speed goals are set for), five timers
each. CI sets it tiny for a smoke run that only proves the benchmarks still work:

    pytest benchmarks/ --benchmark-only                         # the real figures (minutes)
    PARTCOST_BENCH_TASKS=200 pytest benchmarks/ --benchmark-only  # smoke run (seconds)
"""

import os

import pytest

from tests.conftest import TEMPLATE, dsn, embedded_server, pg  # noqa: F401  (fixtures)

TIMERS_PER_TASK = 5


@pytest.fixture(scope="session")
def bench_tasks() -> int:
    return int(os.environ.get("PARTCOST_BENCH_TASKS", "100000"))


@pytest.fixture
def fresh_dsns(pg):  # noqa: F811
    """A factory of fresh databases with the production layout, all dropped after the test."""
    names = []

    def fresh() -> str:
        names.append(pg.create_database(TEMPLATE))
        return pg.dsn(names[-1])

    yield fresh
    for name in names:
        pg.drop_database(name)
