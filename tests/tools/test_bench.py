"""`partcost bench`: scratch databases per size, a table per phase, a fitted model, bench.json."""

import json

import numpy as np
import psycopg2
import pytest
from click.testing import CliRunner

from partcost.cli.main import partcost
from partcost.errors import PartcostError
from partcost.tools.bench import FLOORS, Measurement, extrapolations, fit, project, scratch_database
from partcost.tools.seed import SeedOptions, seed


def databases(pg):
    with psycopg2.connect(pg.admin_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database")
        names = {row[0] for row in cur.fetchall()}
    conn.close()
    return names


def test_bench_prints_tables_and_model_and_writes_json(pg, dsn, tmp_path):
    with psycopg2.connect(dsn) as conn:
        seed(conn, SeedOptions(tasks=300, seed=2))
    conn.close()
    before = databases(pg)

    result = CliRunner().invoke(
        partcost,
        [  # scratch databases go on the server partcost was given
            "--dsn",
            pg.admin_dsn,
            "bench",
            "--tasks",
            "200,400",
            "--workers",
            "1,2",
            "--out",
            str(tmp_path),
            "--project-for-dsn",
            dsn,
        ],
    )

    assert result.exit_code == 0, result.output
    for phase in (
        "seed",
        "migrate-tasks",
        "migrate-costs",
        "validate",
        "recompute",
        "recompute re-run",
        "drift",
    ):
        assert any(
            line.startswith(f"{phase} ") and " 400 " in line.replace(",", "")
            for line in result.output.splitlines()
        ), phase
    assert "Cost model per phase: seconds ≈ a + b·rows" in result.output
    assert "recompute (2 workers)" in result.output and "recompute re-run (1 worker)" in result.output
    assert "Projected for the database: 300 tasks" in result.output
    report = json.loads((tmp_path / "bench.json").read_text())
    phases = {(m["phase"], m["tasks"], m["workers"]) for m in report["measurements"]}
    assert ("recompute", 400, 2) in phases and ("drift", 200, None) in phases
    night_phases = {m["phase"] for m in report["measurements"] if m["phase"].startswith("night: ")}
    assert {"night: dry run", "night: migrate-tasks", "night: recompute"} <= night_phases
    assert len(report["measurements"]) == 2 * (5 + 2 * 2 + len(FLOORS) + 1 + len(night_phases))
    assert {(f"{p} floor", 400) for p in FLOORS} <= {(m["phase"], m["tasks"]) for m in report["measurements"]}
    assert "Phases against their physical floors" in result.output and "× the floors" in result.output
    assert "More workers against fewer:" in result.output
    assert "Cost per row (µs per row" in result.output
    assert set(report["projection"]["seconds_by_workers"]) == {"1", "2"}
    assert all(m["peak_mib"] > 0 and m["seconds"] > 0 for m in report["measurements"])
    assert databases(pg) == before  # every scratch database dropped again


def test_the_model_is_a_least_squares_line():
    sizes = [(1000, 1.5), (2000, 2.4), (4000, 4.6)]
    measurements = [Measurement("migrate-tasks", rows, None, rows, seconds, 1.0) for rows, seconds in sizes]

    model = fit(measurements)["migrate-tasks"]

    b, a = np.polyfit([r for r, _ in sizes], [s for _, s in sizes], 1)
    assert (model.a, model.b) == pytest.approx((a, b))
    assert model.rms > 0
    night = project({model.series: model}, {"tasks": 10_000}, [1])[1]
    assert night["migrate-tasks"] == pytest.approx(a + b * 10_000)
    assert night["night run"] == pytest.approx(2 * night["migrate-tasks"])  # the dry run does it twice


def test_a_scratch_database_never_replaces_an_existing_one(pg, monkeypatch):
    monkeypatch.setattr("os.getpid", lambda: 4242)
    with scratch_database(pg.admin_dsn, "x"):
        with (
            pytest.raises(PartcostError, match="already exists; not touching it"),
            scratch_database(pg.admin_dsn, "x"),
        ):
            pass
        assert "partcost_bench_4242_x" in databases(pg)
    assert "partcost_bench_4242_x" not in databases(pg)


def test_the_projection_uses_each_worker_count_s_own_recompute_model():
    measurements = [
        Measurement("recompute", tasks, workers, tasks * 5, seconds, 1.0)
        for workers, per_timer in ((1, 0.002), (2, 0.001))
        for tasks in (100, 200)
        for seconds in [1 + per_timer * tasks * 5]
    ]

    projection = project(fit(measurements), {"timers": 1_000_000}, [1, 2])

    assert projection[1]["recompute"] == pytest.approx(1 + 0.002 * 1_000_000)
    assert projection[2]["recompute"] == pytest.approx(1 + 0.001 * 1_000_000)


def test_a_falling_line_from_noise_becomes_a_level_one():
    measurements = [
        Measurement("drift", rows, None, rows, seconds, 1.0)
        for rows, seconds in ((1000, 0.5), (2000, 0.4), (4000, 0.3))
    ]

    model = fit(measurements)["drift"]

    assert (model.a, model.b) == (pytest.approx(0.4), 0.0)


def test_a_line_that_would_start_below_zero_is_refitted_through_the_origin_and_says_so():
    """The issue's 2-worker recompute: an outlier at the largest size gave a = -63.31 s."""
    sizes = [(50_000, 1.6), (500_000, 6.2), (1_500_000, 388.4)]
    measurements = [Measurement("recompute", rows // 5, 2, rows, seconds, 1.0) for rows, seconds in sizes]

    model = fit(measurements)["recompute (2 workers)"]

    assert model.a == 0.0 and model.b > 0
    assert "free least-squares line had a = -" in model.note
    assert model.per_row_growth == pytest.approx((388.4 / 1_500_000) / (1.6 / 50_000))


def test_a_projection_beyond_the_largest_size_measured_says_it_extrapolates():
    measurements = [
        Measurement("migrate-tasks", tasks, None, tasks, tasks / 1000, 1.0) for tasks in (100, 200)
    ]
    models = fit(measurements)

    assert extrapolations(models, {"tasks": 150}) == {}
    assert extrapolations(models, {"tasks": 1000}) == {"migrate-tasks": pytest.approx(5.0)}
