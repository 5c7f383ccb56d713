"""partcost rollback: the exact inverse of migrate-tasks + migrate-costs."""

from tests.migration_helpers import AWKWARD_KEYS, run, small_factory, snapshot


def test_rollback_restores_every_table_row_for_row(dsn, build):
    small_factory(build, keys=["M-001", "M-002"] + AWKWARD_KEYS)
    before = snapshot(dsn)
    run(dsn, "migrate-tasks")
    run(dsn, "migrate-costs")
    assert snapshot(dsn) != before

    result = run(dsn, "rollback", "--yes")

    assert result.exit_code == 0, result.output
    assert "Moved 18 timer(s) back to their machining tasks" in result.output
    assert "Deleted 9 operation(s) and 9 migrated part(s)" in result.output
    assert snapshot(dsn) == before


def test_without_yes_it_shows_the_plan_and_changes_nothing(dsn, build):
    small_factory(build)
    run(dsn, "migrate-tasks")
    run(dsn, "migrate-costs")
    migrated = snapshot(dsn)

    result = run(dsn, "rollback")

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Would move 6 timer(s) back to their machining tasks",
        "Would delete 3 PartCostAgg and 3 PartCostAggUser row(s), 0 queued recompute(s)",
        "Would delete 3 operation(s) and 3 migrated part(s)",
        "Nothing changed; add --yes to roll back.",
    ]
    assert snapshot(dsn) == migrated


def test_native_parts_are_untouched_and_a_later_operation_blocks_the_rollback(dsn, build, conn):
    small_factory(build)
    run(dsn, "migrate-tasks")
    build.operation("M-001-OP-2", "PT-M-001", order=2)
    build.commit()
    migrated = snapshot(dsn)

    result = run(dsn, "rollback", "--yes")

    assert result.exit_code == 2
    assert "operation 'M-001-OP-2' was added to a migrated part" in result.output
    assert snapshot(dsn) == migrated
    with conn.cursor() as cur:
        cur.execute("DELETE FROM tasks_operation WHERE key = 'M-001-OP-2'")
    conn.commit()
    assert run(dsn, "rollback", "--yes").exit_code == 0
    after = snapshot(dsn)
    assert [row[0] for row in after["tasks_part"]] == ["PT-001"]
    assert [row[0] for row in after["tasks_operation"]] == ["PT-001-OP-1"]
