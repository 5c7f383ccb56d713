"""partcost rollback: the exact inverse of migrate-tasks + migrate-costs."""

from tests.support.migration_runs import AWKWARD_KEYS, run, small_factory, snapshot


def rows(conn, query):
    with conn.cursor() as cur:
        cur.execute(query)
        result = cur.fetchall()
    conn.rollback()
    return result


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
    after = snapshot(dsn)
    assert after.pop("partcost_migrated_task") == [], "partcost's record of the migration goes too"
    assert after == before


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


def test_only_the_timers_the_migration_moved_go_back(dsn, build, conn):
    worker = build.user("worker")
    build.task("M-001")
    moved = build.timer(worker, "M-001", "2024-03-04 07:30", "2024-03-04 12:00", on="task")
    orphan = build.timer(
        worker, "M-001", "2024-03-05 07:30", "2024-03-05 09:00"
    )  # on an operation M-001 that does not exist
    build.commit()
    timers = "SELECT id, content_type_id FROM tasks_timer ORDER BY id"
    before = rows(conn, timers)
    assert before == [(moved, build.task_ct), (orphan, build.operation_ct)]

    run(dsn, "migrate-tasks")
    result = run(dsn, "rollback", "--yes")

    assert result.exit_code == 0, result.output
    assert "Moved 1 timer(s) back to their machining tasks" in result.output
    assert "Leaving 1 timer(s) on migrated operations as they are" in result.output
    assert rows(conn, timers) == before


def test_a_migration_without_partcost_s_record_of_moved_timers_is_not_rolled_back(dsn, build, conn):
    small_factory(build)
    run(dsn, "migrate-tasks")
    with conn.cursor() as cur:  # as an older partcost (or another tool) leaves it: no record
        cur.execute("DROP TABLE partcost_migrated_task")
    conn.commit()
    migrated = snapshot(dsn)

    result = run(dsn, "rollback", "--yes")

    assert result.exit_code == 2
    assert (
        "3 migrated part(s) (first: 'PT-M-001') have no record of the timers their migration moved"
        in result.output
    )
    assert "partcost restore" in result.output
    assert snapshot(dsn) == migrated
