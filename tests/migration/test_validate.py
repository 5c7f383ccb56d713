"""partcost validate: the runbook's seven checks plus partcost's own, in words and as JSON."""

import json

from tests.support.migration_runs import run, small_factory


def migrated_factory(dsn, build):
    factory = small_factory(build)
    run(dsn, "migrate-tasks")
    run(dsn, "migrate-costs")
    return factory


def test_a_complete_migration_passes_with_the_runbook_wording(dsn, build):
    migrated_factory(dsn, build)

    result = run(dsn, "validate")

    assert result.exit_code == 0, result.output
    for line in [
        "MIGRATION VALIDATION",
        "1. Checking Tasks → Parts migration...",
        "   Tasks: 3",
        "   Parts: 3",
        "   ✓ All tasks migrated to parts",
        "   Operations: 3",
        "   ✓ All parts have operations",
        "   ✓ All parts have exactly 1 operation",
        "   Timers on operations: 7",
        "   ✓ No timers pointing to old tasks",
        "   JobCostAgg:  3",
        "   PartCostAgg: 3",
        "   ✓ All costs migrated",
        "   ✓ All user costs migrated",
        "7. Spot checking data integrity...",
        "   ✓ Spot check passed",
        "VALIDATION PASSED",
    ]:
        assert line in result.output.splitlines(), line


def test_before_migrate_costs_the_cost_checks_fail(dsn, build):
    small_factory(build)
    run(dsn, "migrate-tasks")

    result = run(dsn, "validate")

    assert result.exit_code == 1
    assert "VALIDATION FAILED" in result.output
    assert "  ✗ 3 JobCostAgg row(s) have no PartCostAgg row" in result.output
    assert "  ✗ Hours or cost totals differ between JobCostAgg and PartCostAgg" in result.output


def test_unmigrated_tasks_tampered_parts_and_stray_timers_are_caught(dsn, build, conn):
    factory = migrated_factory(dsn, build)
    build.task("M-LATE")
    build.timer(factory["worker"], "M-LATE", "2024-03-04 07:30", "2024-03-04 08:00", on="task")
    build.timer(factory["worker"], "GONE", "2024-03-04 07:30", "2024-03-04 08:00", on="operation")
    with conn.cursor() as cur:
        cur.execute("UPDATE tasks_operation SET name = 'edited' WHERE key = 'M-002'")
        cur.execute("UPDATE tasks_partcostaguser SET hours_ww = hours_ww + 1 WHERE part_id = 'PT-M-003'")
    build.commit()

    result = run(dsn, "validate", "--json")

    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["passed"] is False
    assert report["errors"] == [
        "1 task(s) have no part",
        "1 timer(s) still point to old tasks",
        "1 migrated task(s) differ from their part/operation (first: M-002)",
        "Hours or cost totals differ between JobCostAggUser and PartCostAggUser",
    ]
    assert report["warnings"] == ["1 timer(s) point to a task or operation that does not exist"]
    assert report["checks"][0]["counts"] == {"Tasks": 4, "Parts": 3}


def test_timers_left_on_a_migrated_task_are_an_error(dsn, build, conn):
    factory = migrated_factory(dsn, build)
    build.timer(factory["worker"], "M-001", "2024-03-08 07:30", "2024-03-08 08:00", on="task")
    build.commit()

    report = json.loads(run(dsn, "validate", "--json").output)

    assert "1 timer(s) still point to migrated tasks" in report["errors"]


def test_each_broken_part_and_missing_cost_row_is_counted_once(dsn, build, conn):
    factory = small_factory(build, keys=("M-001", "M-002", "M-003", "M-004", "M-005"))
    run(dsn, "migrate-tasks")
    run(dsn, "migrate-costs")
    build.operation("M-002-B", "PT-M-002", order=2)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM tasks_operation WHERE key = 'M-001'")
        cur.execute("UPDATE tasks_operation SET key = 'M-003-B' WHERE key = 'M-003'")
        cur.execute("DELETE FROM tasks_partcostagg WHERE part_id = 'PT-M-004'")
        cur.execute(
            "DELETE FROM tasks_partcostaguser WHERE part_id = 'PT-M-005' AND user_id = %s",
            (factory["worker"],),
        )
    build.commit()

    report = json.loads(run(dsn, "validate", "--json").output)

    assert report["errors"] == [
        "1 migrated part(s) have no operation",
        "2 migrated part(s) do not have exactly 1 operation",
        "1 JobCostAgg row(s) have no PartCostAgg row",
        "1 JobCostAggUser row(s) have no PartCostAggUser row",
        "2 migrated task(s) differ from their part/operation (first: M-001)",
        "Hours or cost totals differ between JobCostAgg and PartCostAgg",
        "Hours or cost totals differ between JobCostAggUser and PartCostAggUser",
        "3 migrated part(s) lack exactly one operation keyed by their task key",
    ]
    assert report["checks"][1]["counts"] == {"Operations": 5}
