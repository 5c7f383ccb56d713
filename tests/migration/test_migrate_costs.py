"""partcost migrate-costs: the old cost rows are copied to the migrated parts, values unchanged."""

from decimal import Decimal

from tests.support.migration_runs import COSTS, job_cost, run, small_factory, snapshot


def cost_rows(conn, table, key_column):
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {key_column}, job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww,"
            f" cost_ah, cost_su, total_cost, updated_at FROM {table} ORDER BY 1"
        )
        result = cur.fetchall()
    conn.rollback()
    return result


def test_costs_are_copied_to_the_parts_with_the_runbook_messages(dsn, build, conn):
    small_factory(build)
    run(dsn, "migrate-tasks")

    result = run(dsn, "migrate-costs", "-v")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["Migrating JobCostAgg → PartCostAgg...", "Found 3 JobCostAgg records"]
    assert "✓ Migrated cost for M-001 → PT-M-001" in lines
    assert "JobCostAgg: Migrated 3, Skipped 0, Failed 0" in lines
    assert "Migrating JobCostAggUser → PartCostAggUser..." in lines
    assert "Found 3 JobCostAggUser records" in lines
    assert "JobCostAggUser: Migrated 3, Skipped 0, Failed 0" in lines
    old = cost_rows(conn, "machining_jobcostagg", "'PT-' || task_id")
    assert cost_rows(conn, "tasks_partcostagg", "part_id") == old
    assert old[0][1:] == tuple(
        COSTS[c]
        for c in (
            "job_no_cached",
            "currency",
            "hours_ww",
            "hours_ah",
            "hours_su",
            "cost_ww",
            "cost_ah",
            "cost_su",
            "total_cost",
        )
    ) + (old[0][-1],)
    assert cost_rows(conn, "tasks_partcostaguser", "part_id || user_id") == cost_rows(
        conn, "machining_jobcostagguser", "'PT-' || task_id || user_id"
    )


def test_a_part_that_already_has_costs_is_skipped_and_a_task_without_part_fails(dsn, build, conn):
    factory = small_factory(build)
    run(dsn, "migrate-tasks", "--limit", "2")  # M-003 stays a task
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO tasks_partcostagg (part_id, job_no_cached, currency, hours_ww, hours_ah,"
            " hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)"
            " VALUES ('PT-M-001', 'J-1', 'EUR', 1, 0, 0, 7, 0, 0, 7, now())"
        )
    conn.commit()

    result = run(dsn, "migrate-costs")

    assert result.exit_code == 1
    assert (
        "✗ Failed cost for M-003: its task has no part (run `partcost migrate-tasks` first)" in result.output
    )
    assert f"✗ Failed cost for M-003 (user {factory['worker']}):" in result.output
    assert "JobCostAgg: Migrated 1, Skipped 1, Failed 1" in result.output
    assert "JobCostAggUser: Migrated 2, Skipped 0, Failed 1" in result.output
    assert cost_rows(conn, "tasks_partcostagg", "part_id")[0][3] == Decimal("1.00"), "kept, not overwritten"


def test_second_run_and_dry_run_change_nothing(dsn, build):
    small_factory(build)
    run(dsn, "migrate-tasks")
    before = snapshot(dsn)

    dry = run(dsn, "migrate-costs", "--dry-run")

    assert "[DRY RUN] JobCostAgg: Migrated 3, Skipped 0, Failed 0" in dry.output
    assert snapshot(dsn) == before
    run(dsn, "migrate-costs")
    copied = snapshot(dsn)
    again = run(dsn, "migrate-costs")
    assert "JobCostAgg: Migrated 0, Skipped 3, Failed 0" in again.output
    assert snapshot(dsn) == copied


def test_per_user_rows_are_skipped_per_part_and_user(dsn, build, conn):
    factory = small_factory(build)
    worker, boss = factory["worker"], factory["boss"]
    job_cost(conn, "M-001", user_id=boss, hours_ww=Decimal("2.00"))
    conn.commit()
    run(dsn, "migrate-tasks")
    with conn.cursor() as cur:  # the boss's row on PT-M-001 exists already; the worker's does not
        cur.execute(
            "INSERT INTO tasks_partcostaguser (part_id, user_id, job_no_cached, currency, hours_ww,"
            " hours_ah, hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at)"
            " VALUES ('PT-M-001', %s, 'J-1', 'EUR', 1, 0, 0, 7, 0, 0, 7, now())",
            (boss,),
        )
    conn.commit()

    result = run(dsn, "migrate-costs")

    assert result.exit_code == 0, result.output
    assert "JobCostAggUser: Migrated 3, Skipped 1, Failed 0" in result.output
    with conn.cursor() as cur:
        cur.execute(
            "SELECT user_id, hours_ww FROM tasks_partcostaguser WHERE part_id = 'PT-M-001' ORDER BY user_id"
        )
        assert cur.fetchall() == sorted([(worker, COSTS["hours_ww"]), (boss, Decimal("1.00"))])
