"""The drift report on a hand-made case: old JobCostAgg totals against the recomputed ones."""

from decimal import Decimal

from partcost.night.drift import drift
from tests.support.migration_runs import job_cost


def migrated_part(build, key, job="J-1"):
    """A task already migrated: the old task and its part (task_key set)."""
    build.task(key, job_no=job)
    build.part(f"PT-{key}", job_no=job, task_key=key)


def recomputed_cost(conn, part, total):
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO tasks_partcostagg (part_id, job_no_cached, currency, hours_ww, hours_ah,"
            " hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)"
            " VALUES (%s, 'J-1', 'EUR', 0, 0, 0, %s, 0, 0, %s, now())",
            (part, total, total),
        )


def test_drift_counts_agreements_differences_and_the_largest(conn, build):
    for key in ("A", "B", "C", "D", "E"):
        migrated_part(build, key)
    build.task("NOT-MIGRATED")
    job_cost(conn, "A", total_cost=Decimal("100.00"))
    recomputed_cost(conn, "PT-A", Decimal("100.00"))  # agrees to the cent
    job_cost(conn, "B", total_cost=Decimal("100.00"))
    recomputed_cost(conn, "PT-B", Decimal("100.01"))  # one cent more
    job_cost(conn, "C", total_cost=Decimal("250.00"))
    recomputed_cost(conn, "PT-C", Decimal("200.00"))  # 50 less
    job_cost(conn, "D", total_cost=Decimal("30.00"))  # no costed time left: no new row
    recomputed_cost(conn, "PT-E", Decimal("12.34"))  # no old row
    job_cost(conn, "NOT-MIGRATED", total_cost=Decimal("9.99"))
    build.commit()

    report = drift(conn)

    assert (report.parts, report.agreeing, report.differing) == (5, 1, 4)
    assert (report.only_old, report.only_new) == (1, 1)
    assert report.net_difference == round(0.01 - 50 - 30 + 12.34, 2)
    assert report.absolute_difference == round(0.01 + 50 + 30 + 12.34, 2)
    assert report.old_costs_without_part == 1
    assert [(d.part, d.old_cost, d.new_cost, d.difference) for d in report.largest] == [
        ("PT-C", 250.00, 200.00, -50.00),
        ("PT-D", 30.00, None, -30.00),
        ("PT-E", None, 12.34, 12.34),
        ("PT-B", 100.00, 100.01, 0.01),
    ]
    assert report.largest[0].job == "J-1"


def test_only_the_twenty_largest_are_listed(conn, build):
    for number in range(25):
        key = f"T{number:02}"
        migrated_part(build, key)
        job_cost(conn, key, total_cost=Decimal(number + 1))  # no recomputed row: each differs
    build.commit()

    report = drift(conn)

    assert report.differing == 25
    assert [d.part for d in report.largest] == [f"PT-T{n:02}" for n in range(24, 4, -1)]


def test_a_part_with_zero_on_both_sides_agrees(conn, build):
    migrated_part(build, "Z")
    job_cost(conn, "Z", total_cost=Decimal("0.00"))
    build.commit()

    report = drift(conn)

    assert (report.agreeing, report.differing, report.only_old) == (1, 0, 0)
