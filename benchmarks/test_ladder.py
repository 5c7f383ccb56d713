"""One rung of the scale ladder (benchmarks/ladder.py, `partcost bench`) at ``PARTCOST_BENCH_TASKS``:
every phase, its physical floor, the whole night run — and the docs' tables made from it. The ladder
itself (10,000 → 1,000,000 tasks) is run by hand; this keeps it from rotting (CI: 200 tasks)."""

import json

from benchmarks import ladder
from benchmarks.conftest import TIMERS_PER_TASK
from partcost.tools.bench import FLOORS, bench_size, fit, write_json


def test_one_rung_of_the_ladder(benchmark, pg, bench_tasks, tmp_path):  # noqa: F811
    measurements = benchmark.pedantic(
        bench_size,
        args=(pg.admin_dsn, bench_tasks, TIMERS_PER_TASK, [1, 2]),
        kwargs={"stop_file": tmp_path / "stop"},
        rounds=1,
        iterations=1,
    )

    phases = {(m.phase, m.workers) for m in measurements}
    assert {(f"{p} floor", None) for p in FLOORS} <= phases
    assert {
        ("recompute", 1),
        ("recompute", 2),
        ("recompute re-run", 2),
        ("night run", 2),
        ("night: dry run", None),
    } <= phases
    assert all(m.seconds > 0 and m.rows > 0 for m in measurements if m.phase != "night: backup")
    report = json.loads(write_json(tmp_path, measurements, fit(measurements)).read_text())
    assert f"{bench_tasks:,} tasks" in ladder.phase_table(report)
    assert "night ÷ floors" in ladder.floor_table(report) and f"| {bench_tasks:,} |" in ladder.floor_table(
        report
    )
    workers = ladder.workers_table(report)
    assert "| recompute re-run |" in workers and "nothing changed, so no worker started" in workers
