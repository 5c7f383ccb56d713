"""Every phase of the night run, benchmarked on its own, in the night's order on one seeded
database: seed, migrate-tasks, migrate-costs, validate, recompute (first run, then a re-run with
nothing changed), drift. A test needing an earlier phase's result runs that phase first, untimed,
so `-k recompute` works alone too. One round each: the phases change the database.

`partcost bench` measures the same phases at several sizes and fits a cost model to them."""

from pathlib import Path

import psycopg2
import pytest

from benchmarks.conftest import TIMERS_PER_TASK
from partcost.migration.migrate_costs import migrate_costs
from partcost.migration.migrate_tasks import migrate_tasks
from partcost.migration.validate import validate
from partcost.night.drift import drift
from partcost.recompute.run import recompute_all
from partcost.recompute.split import WorkCalendar
from partcost.tools.seed import SeedOptions, seed

WORKERS = 2


class Night:
    """One database going through the night's phases in order, each at most once."""

    def __init__(self, dsn: str, tasks: int, stop_file: Path):
        self.dsn, self.tasks, self.stop_file = dsn, tasks, stop_file
        self.conn = psycopg2.connect(dsn)
        self.done = []
        self.phases = {
            "seed": lambda: seed(self.conn, SeedOptions(tasks=tasks, timers_per_task=TIMERS_PER_TASK)),
            "migrate-tasks": lambda: list(migrate_tasks(self.conn)),
            "migrate-costs": lambda: migrate_costs(self.conn),
            "validate": lambda: validate(self.conn),
            "recompute": self.recompute,
            "recompute re-run": self.recompute,
            "drift": lambda: drift(self.conn),
        }

    def recompute(self):
        return recompute_all(self.dsn, WorkCalendar.parse(), WORKERS, self.stop_file)

    def before(self, phase: str) -> None:
        """Run, untimed, every earlier phase not run yet."""
        for earlier in list(self.phases)[: list(self.phases).index(phase)]:
            if earlier not in self.done:
                self.run(earlier)

    def run(self, phase: str):
        self.done.append(phase)
        return self.phases[phase]()


@pytest.fixture(scope="module")
def night(pg, bench_tasks, tmp_path_factory):  # noqa: F811
    from tests.conftest import TEMPLATE

    name = pg.create_database(TEMPLATE)
    night = Night(pg.dsn(name), bench_tasks, tmp_path_factory.mktemp("night") / "stop")
    yield night
    night.conn.close()
    pg.drop_database(name)


def benchmark_phase(benchmark, night: Night, phase: str):
    night.before(phase)
    return benchmark.pedantic(night.run, args=(phase,), rounds=1, iterations=1)


def test_seed(benchmark, night, bench_tasks):
    assert benchmark_phase(benchmark, night, "seed")["machining_task"] == bench_tasks


def test_migrate_tasks(benchmark, night, bench_tasks):
    batches = benchmark_phase(benchmark, night, "migrate-tasks")
    assert sum(len(batch.migrated) for batch in batches) == bench_tasks


def test_migrate_costs(benchmark, night):
    copies = benchmark_phase(benchmark, night, "migrate-costs")
    assert all(copy.migrated == copy.found and not copy.failed for copy in copies)


def test_validate(benchmark, night):
    assert benchmark_phase(benchmark, night, "validate").passed


def test_recompute_first_run(benchmark, night):
    assert benchmark_phase(benchmark, night, "recompute").status == "complete"


def test_recompute_rerun_with_nothing_changed(benchmark, night):
    summary = benchmark_phase(benchmark, night, "recompute re-run")
    assert summary.status == "complete"
    assert summary.counts.inserted == summary.counts.updated == summary.counts.deleted == 0


def test_drift(benchmark, night, bench_tasks):
    assert benchmark_phase(benchmark, night, "drift").parts == bench_tasks
