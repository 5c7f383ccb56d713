"""The benchmark baseline (the service's per-part strategy) must write the rows the rules ask for,
or its timings would compare the engine with something else."""

from benchmarks.baseline_service import run_baseline
from tests.support.recompute_runs import stale_cost_rows
from tests.support.reference import actual_outcome, expected_outcome


def test_the_baseline_writes_the_reference_rows(dsn, conn, build):
    paid, unpaid, skipped = build.user(), build.user(), build.user()
    build.wage(paid, "2024-03-05", 6000.5, after_hours="1.25", sunday="2.5")
    build.fx("2024-03-01", eur=0.0311)
    build.fx("2024-03-06", rates={"USD": 0.03})
    build.fx("2024-03-07", eur=0.0302)
    build.part("P1", job_no="J-1")
    build.operation("P1-OP1", "P1")
    build.operation("P1-OP2", "P1")
    build.part("Çelik 'şaft'\t2", job_no=None)
    build.operation("Ç-OP1", "Çelik 'şaft'\t2")
    build.part("ONLY-REVERSED")
    build.operation("R-OP1", "ONLY-REVERSED")
    build.part("NO-TIMERS")
    for worker in (paid, unpaid):
        build.timer(worker, "P1-OP1", "2024-03-04 06:59:59.250", "2024-03-06 17:00:00.500")
        build.timer(worker, "P1-OP2", "2024-03-09 16:00", "2024-03-10 09:00:18")
        build.timer(worker, "Ç-OP1", "2024-03-07 07:30", "2024-03-07 17:00")
    build.timer(skipped, "P1-OP2", "2024-03-06 09:00", "2024-03-06 10:00")  # no EUR rate that day
    build.timer(paid, "R-OP1", "2024-03-07 10:00", "2024-03-07 09:00")
    build.commit()
    stale_cost_rows(conn, "NO-TIMERS", paid)

    figures = run_baseline(dsn, workers=2)

    assert figures["parts"] == 4
    expected = expected_outcome(conn)
    assert set(expected.parts) == {"P1", "Çelik 'şaft'\t2", "ONLY-REVERSED"}
    assert len(expected.users) == 4
    assert actual_outcome(conn) == expected
