"""partcost migrate-tasks: tasks → parts + operations, timers follow, per the mapping rules."""

from decimal import Decimal

import psycopg2
import pytest

from partcost.migration.migrate_tasks import migrate_tasks
from tests.support.migration_runs import AWKWARD_KEYS, run, small_factory, snapshot


def rows(conn, query, *params):
    with conn.cursor() as cur:
        cur.execute(query, params)
        result = cur.fetchall()
    conn.rollback()
    return result


def test_each_task_becomes_a_part_with_one_operation(dsn, build, conn):
    boss = build.user("boss")
    build.task(
        "M-001",
        name="Housing",
        description=None,
        quantity=4,
        job_no="J-2024-001",
        image_no="IMG-1",
        position_no="P-7",
        created_by_id=boss,
        created_at=1700000000000,
        estimated_hours=Decimal("3.25"),
        machine_fk_id=3,
        in_plan=True,
        plan_order=2,
        planned_start_ms=1,
        planned_end_ms=2,
        plan_locked=True,
        is_hold_task=True,
    )
    build.commit()

    result = run(dsn, "migrate-tasks", "-v")

    assert result.exit_code == 0, result.output
    assert "Found 1 tasks to migrate" in result.output
    assert "✓ Migrated M-001 → Part: PT-M-001, Operation: M-001" in result.output
    assert rows(
        conn,
        "SELECT key, task_key, name, description, quantity, job_no, image_no, position_no,"
        " created_by_id, created_at, material, weight_kg FROM tasks_part",
    ) == [
        ("PT-M-001", "M-001", "Housing", "", 4, "J-2024-001", "IMG-1", "P-7", boss, 1700000000000, None, None)
    ]
    assert rows(
        conn,
        'SELECT key, part_id, name, description, "order", interchangeable, in_plan, plan_order,'
        " machine_fk_id, estimated_hours, planned_start_ms, planned_end_ms, plan_locked,"
        " is_hold_task FROM tasks_operation",
    ) == [("M-001", "PT-M-001", "Housing", "", 1, False, True, 2, 3, Decimal("3.25"), 1, 2, True, True)]


def test_summary_block_and_progress_as_in_the_runbook(dsn, build):
    small_factory(build)

    result = run(dsn, "migrate-tasks", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Found 3 tasks to migrate"
    assert "Progress: 2/3 migrated, 0 skipped..." in lines
    assert "Progress: 3/3 migrated, 0 skipped..." in lines
    assert lines[-5:] == [
        "MIGRATION COMPLETE",
        "Total tasks: 3",
        "Migrated:    3",
        "Skipped:     0",
        "Failed:      0",
    ]
    assert not any(line.startswith("✓") for line in lines), "per-task lines only with -v"


def test_timers_move_to_the_operation_and_nothing_else_changes(dsn, build, conn):
    small_factory(build)
    before = rows(
        conn,
        "SELECT id, user_id, start_time, finish_time, object_id, content_type_id"
        " FROM tasks_timer ORDER BY id",
    )

    run(dsn, "migrate-tasks")

    after = rows(
        conn,
        "SELECT id, user_id, start_time, finish_time, object_id, content_type_id"
        " FROM tasks_timer ORDER BY id",
    )
    assert [row[:5] for row in after] == [row[:5] for row in before]
    assert [row[5] for row in before] == [build.task_ct] * 6 + [build.operation_ct]
    assert [row[5] for row in after] == [build.operation_ct] * 7


def test_awkward_keys_migrate_like_any_other(dsn, build, conn):
    small_factory(build, keys=AWKWARD_KEYS)

    result = run(dsn, "migrate-tasks", "-v", "--batch-size", "3")

    assert result.exit_code == 0, result.output
    assert rows(conn, "SELECT task_key, key FROM tasks_part WHERE task_key IS NOT NULL ORDER BY 1") == sorted(
        (key, f"PT-{key}") for key in AWKWARD_KEYS
    )
    assert rows(conn, "SELECT count(*) FROM tasks_timer WHERE content_type_id = %s", build.task_ct) == [(0,)]
    for key in AWKWARD_KEYS:
        assert f"✓ Migrated {key} → Part: PT-{key}, Operation: {key}" in result.output


def test_a_completed_task_gives_up_its_plan_slot(dsn, build, conn):
    build.task("M-DONE", in_plan=True, plan_order=5, machine_fk_id=1, completion_date=1700000000000)
    build.commit()

    run(dsn, "migrate-tasks")

    assert rows(conn, "SELECT in_plan, plan_order, completion_date FROM tasks_operation") == [
        (False, None, 1700000000000)
    ]


def test_second_run_skips_everything_and_changes_nothing(dsn, build):
    small_factory(build)
    run(dsn, "migrate-tasks")
    before = snapshot(dsn)

    result = run(dsn, "migrate-tasks")

    assert result.exit_code == 0
    assert "Progress: 0/3 migrated, 3 skipped..." in result.output
    assert "Skipped:     3" in result.output
    assert snapshot(dsn) == before


def test_dry_run_changes_nothing_and_shows_what_would_migrate(dsn, build):
    small_factory(build)
    before = snapshot(dsn)

    result = run(dsn, "migrate-tasks", "--dry-run", "--limit", "2")

    assert result.exit_code == 0, result.output
    assert "[DRY RUN] Would migrate M-001 → Part: PT-M-001, Operation: M-001" in result.output
    assert "[DRY RUN] Would migrate M-002 → Part: PT-M-002, Operation: M-002" in result.output
    assert "M-003" not in result.output
    assert snapshot(dsn) == before


def test_limit_migrates_only_the_first_tasks_in_key_order(dsn, build, conn):
    small_factory(build)

    result = run(dsn, "migrate-tasks", "--limit", "2", "--batch-size", "1")

    assert "Total tasks: 2" in result.output
    assert rows(conn, "SELECT task_key FROM tasks_part WHERE task_key IS NOT NULL ORDER BY 1") == [
        ("M-001",),
        ("M-002",),
    ]


def test_failed_tasks_are_reported_and_left_alone_while_the_rest_migrate(dsn, build, conn):
    """Key already an operation, plan slot taken, a user that does not exist: each fails with its
    reason; the failed tasks' timers stay on the task; the other tasks of the batch migrate."""
    small_factory(build)  # M-001..M-003 on machines 1..3, plan_order 1
    build.part("PT-X", job_no="J-9")
    build.operation("M-001", "PT-X", order=1)  # the key is taken
    build.operation("PT-X-OP-2", "PT-X", order=2, in_plan=True, machine_fk_id=2, plan_order=1)  # the slot
    with conn.cursor() as cur:  # legacy data: a creator deleted while the FK was not enforced
        cur.execute("SET session_replication_role = replica")
        build.task("M-004", created_by_id=99999)
        build.commit()
        cur.execute("RESET session_replication_role")
    timers_before = rows(conn, "SELECT * FROM tasks_timer WHERE object_id IN ('M-001', 'M-002') ORDER BY id")

    result = run(dsn, "migrate-tasks")

    assert result.exit_code == 1
    assert "✗ Failed M-001: Task key already exists as operation" in result.output
    assert (
        "✗ Failed M-002: Plan slot (machine 2, plan_order 1) is already taken by operation PT-X-OP-2"
        in result.output
    )
    assert "✗ Failed M-004: created_by user 99999 does not exist" in result.output
    assert result.output.splitlines()[-3:] == ["Migrated:    1", "Skipped:     0", "Failed:      3"]
    assert rows(conn, "SELECT task_key FROM tasks_part WHERE task_key IS NOT NULL") == [("M-003",)]
    assert (
        rows(conn, "SELECT * FROM tasks_timer WHERE object_id IN ('M-001', 'M-002') ORDER BY id")
        == timers_before
    )


def test_a_refusal_nobody_foresaw_fails_only_its_task(dsn, build, conn):
    """A running timer already on a (missing) operation with the task's key: moving the task's own
    running timer there breaks the one-active-timer rule. The batch is redone task by task."""
    small_factory(build)
    worker = build.user("night-shift")
    build.timer(worker, "M-002", "2024-03-07 07:30", None, on="task", machine_fk_id=2)
    build.timer(worker, "M-002", "2024-03-07 07:30", None, on="operation", machine_fk_id=2)
    build.commit()

    result = run(dsn, "migrate-tasks")

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("✗")]
    assert len(failed) == 1 and failed[0].startswith("✗ Failed M-002: duplicate key value")
    assert rows(conn, "SELECT task_key FROM tasks_part WHERE task_key IS NOT NULL ORDER BY 1") == [
        ("M-001",),
        ("M-003",),
    ]


def test_an_unupgraded_database_is_told_to_run_the_schema_upgrade(dsn_before_upgrade):
    result = run(dsn_before_upgrade, "migrate-tasks")

    assert result.exit_code == 2
    assert result.output.startswith("Error: the database lacks tasks_part.task_key")
    assert "partcost schema upgrade" in result.output


def test_a_taken_part_key_or_an_overlong_key_fails_with_its_reason(dsn, build, conn):
    long_key = "L" * 254  # PT- + 254 characters does not fit in varchar(255)
    build.task("M-001")
    build.task(long_key)
    build.part("PT-M-001", job_no="J-9")  # a native part that happens to have the name
    build.commit()

    result = run(dsn, "migrate-tasks")

    assert result.exit_code == 1
    assert "✗ Failed M-001: Part key PT-M-001 already exists" in result.output
    assert f"✗ Failed {long_key}: Part key PT-<key> would be longer than 255 characters" in result.output
    assert rows(conn, "SELECT count(*) FROM tasks_operation") == [(0,)]


def test_two_tasks_of_one_batch_wanting_one_plan_slot(dsn, build, conn):
    """Production databases are not always what the layout promises: without the unique index on
    machining_task two tasks can hold one slot; the first (in key order) gets it."""
    with conn.cursor() as cur:
        cur.execute("DROP INDEX machining_task_unique_machine_plan_order")
    build.task("M-001", in_plan=True, machine_fk_id=4, plan_order=9)
    build.task("M-002", in_plan=True, machine_fk_id=4, plan_order=9)
    build.commit()

    result = run(dsn, "migrate-tasks")

    assert result.exit_code == 1
    assert "✗ Failed M-002: Plan slot (machine 4, plan_order 9) is also wanted by task M-001" in result.output
    assert rows(conn, "SELECT key FROM tasks_operation") == [("M-001",)]


def _collation_ordering_unlike_the_default(conn):
    """A collation in which 'B' and 'a' sort the other way round than in the database's default
    (ICU's root, or a libc English one, whichever the server has), or None."""
    candidates = (("icu", "und"), ("libc", "en_US.UTF-8"), ("libc", "en_US.utf8"), ("libc", "C"))
    with conn.cursor() as cur:
        cur.execute("SELECT 'B' < 'a'")
        (default_puts_capitals_first,) = cur.fetchone()
        for number, (provider, locale) in enumerate(candidates):
            name = f"key_order_{number}"
            cur.execute("SAVEPOINT probe")
            try:
                cur.execute(f"CREATE COLLATION {name} (provider = {provider}, locale = %s)", (locale,))
                cur.execute(f"SELECT 'B' < 'a' COLLATE {name}")
                if cur.fetchone()[0] != default_puts_capitals_first:
                    conn.commit()
                    return name
            except psycopg2.Error:
                pass
            cur.execute("ROLLBACK TO SAVEPOINT probe")
    conn.rollback()
    return None


def test_a_key_column_collated_unlike_the_database_pages_through_every_task_once(dsn, build, conn):
    collation = _collation_ordering_unlike_the_default(conn)
    if collation is None:
        pytest.skip("the server has no collation ordering 'a' and 'B' unlike its default")
    with conn.cursor() as cur:
        cur.execute(f"ALTER TABLE machining_task ALTER COLUMN key TYPE varchar(255) COLLATE {collation}")
    conn.commit()
    for key in ("a", "B", "c", "D", "e"):
        build.task(key)
    build.commit()

    result = run(dsn, "migrate-tasks", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    progress = [line for line in result.output.splitlines() if line.startswith("Progress")]
    assert progress == [
        "Progress: 2/5 migrated, 0 skipped...",
        "Progress: 4/5 migrated, 0 skipped...",
        "Progress: 5/5 migrated, 0 skipped...",
    ]


def test_a_dry_run_records_nothing_and_a_real_run_after_it_records_its_timers(dsn, build, conn):
    small_factory(build)
    with psycopg2.connect(dsn) as session:
        list(migrate_tasks(session, dry_run=True))
        list(migrate_tasks(session))  # the same connection, as an embedding caller may do

    assert rows(conn, "SELECT task_key, cardinality(timer_ids) FROM partcost_migrated_task ORDER BY 1") == [
        ("M-001", 2),
        ("M-002", 2),
        ("M-003", 2),
    ]


def outcomes(dsn, dry_run):
    with psycopg2.connect(dsn) as session:
        batches = list(migrate_tasks(session, dry_run=dry_run))
    session.close()
    return sorted(key for b in batches for key in b.migrated), sorted(b.failed for b in batches if b.failed)


def test_a_dry_run_finds_a_running_timer_that_cannot_move(dsn, build):
    """A dry run moves only the timers something could refuse to move — here the running ones, which
    Django's one-running-timer index covers — and so still finds every task the real run fails."""
    facts = small_factory(build)
    build.timer(facts["worker"], "M-002", "2024-03-07 07:30", on="task", machine_fk_id=7)
    build.timer(facts["worker"], "M-002", "2024-03-07 07:31", machine_fk_id=7)  # already on "operation" M-002
    build.commit()
    before = snapshot(dsn)

    rehearsed = outcomes(dsn, dry_run=True)

    assert snapshot(dsn) == before
    assert rehearsed[0] == ["M-001", "M-003"] and "M-002" in str(rehearsed[1])
    assert outcomes(dsn, dry_run=False) == rehearsed


def test_a_constraint_on_timers_makes_the_dry_run_move_every_timer(dsn, build, conn):
    small_factory(build)
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM django_content_type WHERE app_label = 'tasks' AND model = 'operation'")
        operation = cur.fetchone()[0]
        cur.execute(
            f"ALTER TABLE tasks_timer ADD CONSTRAINT not_m003 CHECK (content_type_id <> {operation}"
            " OR object_id <> 'M-003')"
        )  # the finished timers of M-003 cannot move
    conn.commit()

    rehearsed = outcomes(dsn, dry_run=True)

    assert rehearsed[0] == ["M-001", "M-002"] and "not_m003" in str(rehearsed[1])
    assert outcomes(dsn, dry_run=False) == rehearsed


def test_the_dry_run_moves_only_running_timers_in_the_django_layout(dsn):
    from partcost.migration.migrate_tasks import timer_rehearsal

    with psycopg2.connect(dsn) as session:
        statement = timer_rehearsal(session).as_string(session)
    session.close()
    assert "(SELECT ((finish_time IS NULL)) FROM (SELECT timer.*) AS tasks_timer)" in statement
