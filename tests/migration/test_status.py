"""partcost status: the runbook's support commands in one."""

from tests.support.migration_runs import run, small_factory


def test_status_counts_the_new_tables(dsn, build):
    factory = small_factory(build)
    build.timer(factory["worker"], "M-001", "2024-03-09 07:30", None, on="task")
    build.commit()
    run(dsn, "migrate-tasks")
    run(dsn, "migrate-costs")

    result = run(dsn, "status")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:6] == [
        "Parts:           4 (3 migrated)",
        "Operations:      4",
        "PartCostAgg:     3",
        "PartCostAggUser: 3",
        "Recompute queue: 0",
        "Active timers:   1",
    ]
    assert lines[6].startswith("Database size:   ") and lines[6].endswith(("kB", "MB"))


def test_status_before_the_upgrade_says_what_to_run(dsn_before_upgrade):
    result = run(dsn_before_upgrade, "status")

    assert result.exit_code == 2
    assert "partcost schema upgrade" in result.output
