"""No statement of partcost's may depend on the planner's row estimates being right.

Issue 12's cliff: autovacuum ANALYZEd the cost tables while migrate-costs' INSERT was not committed
yet, leaving statistics that say "every page, no live row"; the recompute's UPDATE … FROM the staging
table was then planned as a nested loop that read the whole staging table again for every stored row
(minutes instead of seconds). Here every table gets exactly those statistics (another session
ANALYZEs while the test's build transaction holds all the rows), autovacuum is kept away, and every
statement each phase runs is EXPLAINed as it runs (tests/plan_audit.py): no table or staged result may
be read again per row of another input unless the read is keyed on that row. No clock is involved."""

import itertools
import os
from contextlib import closing
from datetime import datetime, timezone

import psycopg2
from psycopg2 import sql

import partcost.migration.migrate_costs
import partcost.migration.migrate_tasks
from partcost.db.catalogue import content_type_id
from partcost.db.plans import COMPARISON_WORK_MEM, comparing_whole_tables
from partcost.db.sql_files import sql_file
from partcost.migration.migrate_costs import migrate_costs
from partcost.migration.migrate_tasks import migrate_tasks
from partcost.migration.rollback import rollback_plan
from partcost.migration.validate import validate
from partcost.night.drift import drift
from partcost.recompute.drain import DrainOptions, drain_batch
from partcost.recompute.scope import Scope
from partcost.recompute.split import WorkCalendar
from partcost.recompute.worker import Worker
from tests.support.builder import Builder, local_ms
from tests.support.migration_runs import run
from tests.support.plan_audit import (
    PlanAudit,
    analyze_from_another_session,
    audited,
    estimated_rows,
    outline,
    rescans,
    statements,
)

TABLES = (
    "auth_user",
    "machining_task",
    "machining_jobcostagg",
    "machining_jobcostagguser",
    "tasks_part",
    "tasks_operation",
    "tasks_timer",
    "tasks_partcostagg",
    "tasks_partcostaguser",
    "tasks_partcostrecalcqueue",
    "users_wagerate",
    "core_currencyratesnapshot",
)
USERS = 20
_roles = itertools.count(1)

# A factory built with generate_series: workers with wages, an FX rate; machining tasks with timers and
# old cost rows (two workers each); native parts with an operation, timers and cost rows that are all
# wrong — one per worker that has time on the part (to update), one for a worker who has none (to
# delete), none at all for every fifth part (to insert) — and every third part queued.
FACTORY = """
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                       date_joined)
SELECT '!', false, 'worker' || g, '', '', '', false, true, now() FROM generate_series(1, %(users)s) AS g;
INSERT INTO users_wagerate (user_id, effective_from, currency, base_monthly, after_hours_multiplier,
                            sunday_multiplier, created_at, updated_at)
SELECT id, '2024-01-01', 'TRY', 30000 + 100 * id, 1.5, 2.0, now(), now() FROM auth_user;
INSERT INTO core_currencyratesnapshot (provider, date, base, rates, created_at)
VALUES ('test', '2024-01-01', 'TRY', '{"EUR": 0.0281}', now());

INSERT INTO machining_task (key, name, job_no, created_by_id, is_hold_task, in_plan, plan_locked)
SELECT 'M-' || lpad(g::text, 6, '0'), 'task ' || g, 'J-' || g %% 50, (SELECT min(id) FROM auth_user),
       false, false, false
FROM generate_series(1, %(tasks)s) AS g;
INSERT INTO tasks_timer (user_id, start_time, finish_time, manual_entry, content_type_id, object_id, timer_type)
SELECT (SELECT min(id) FROM auth_user) + (g + k) %% %(users)s, %(start)s + k * 86400000,
       %(start)s + k * 86400000 + 7200000, false, %(task_type)s, 'M-' || lpad(g::text, 6, '0'), 'productive'
FROM generate_series(1, %(tasks)s) AS g, generate_series(0, 4) AS k;
INSERT INTO machining_jobcostagg (task_id, job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww,
                                  cost_ah, cost_su, total_cost, updated_at)
SELECT 'M-' || lpad(g::text, 6, '0'), 'J-' || g %% 50, 'EUR', 10, 0, 0, 70, 0, 0, 70, now()
FROM generate_series(1, %(tasks)s) AS g;
INSERT INTO machining_jobcostagguser (task_id, user_id, job_no_cached, currency, hours_ww, hours_ah, hours_su,
                                      cost_ww, cost_ah, cost_su, total_cost, updated_at)
SELECT 'M-' || lpad(g::text, 6, '0'), (SELECT min(id) FROM auth_user) + (g + k) %% %(users)s, 'J-' || g %% 50,
       'EUR', 5, 0, 0, 35, 0, 0, 35, now()
FROM generate_series(1, %(tasks)s) AS g, generate_series(0, 1) AS k;

INSERT INTO tasks_part (key, name, job_no)
SELECT 'PT-N-' || lpad(g::text, 6, '0'), 'part ' || g, 'J-' || g %% 50 FROM generate_series(1, %(parts)s) AS g;
INSERT INTO tasks_operation (key, part_id, name, is_hold_task, in_plan, plan_locked, "order", interchangeable)
SELECT key || '-OP-1', key, name, false, false, false, 1, false FROM tasks_part;
INSERT INTO tasks_timer (user_id, start_time, finish_time, manual_entry, content_type_id, object_id, timer_type)
SELECT (SELECT min(id) FROM auth_user) + (g + k) %% %(users)s, %(start)s + k * 86400000,
       %(start)s + k * 86400000 + 3600000 * (1 + g %% 3), false, %(operation_type)s,
       'PT-N-' || lpad(g::text, 6, '0') || '-OP-1', 'productive'
FROM generate_series(1, %(parts)s) AS g, generate_series(0, 2) AS k;
INSERT INTO tasks_partcostagg (part_id, job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww,
                               cost_ah, cost_su, total_cost, updated_at)
SELECT 'PT-N-' || lpad(g::text, 6, '0'), 'OLD', 'EUR', 1, 0, 0, 1, 0, 0, 1, now()
FROM generate_series(1, %(parts)s) AS g WHERE g %% 5 <> 0;
INSERT INTO tasks_partcostaguser (part_id, user_id, job_no_cached, currency, hours_ww, hours_ah, hours_su,
                                  cost_ww, cost_ah, cost_su, total_cost, updated_at)
SELECT 'PT-N-' || lpad(g::text, 6, '0'), (SELECT min(id) FROM auth_user) + (g + k) %% %(users)s, 'OLD', 'EUR',
       1, 0, 0, 1, 0, 0, 1, now()
FROM generate_series(1, %(parts)s) AS g, generate_series(0, 3) AS k WHERE g %% 5 <> 0;
INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at)
SELECT 'PT-N-' || lpad(g::text, 6, '0'), '2024-06-01'::timestamptz + g * interval '1 second'
FROM generate_series(1, %(parts)s) AS g WHERE g %% 3 = 0;
"""


def factory(dsn: str, tasks: int, parts: int) -> None:
    """The factory, committed and analyzed (autovacuum switched off for its tables: nothing may change
    their statistics behind the test's back)."""
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        build = Builder(conn)
        for table in TABLES:
            cur.execute(
                sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(sql.Identifier(table))
            )
        cur.execute(
            FACTORY,
            {
                "users": USERS,
                "tasks": tasks,
                "parts": parts,
                "start": local_ms("2024-03-04 07:30"),
                "task_type": build.task_ct,
                "operation_type": build.operation_ct,
            },
        )
        conn.commit()
        cur.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, TABLES))))
        conn.commit()


def refill_with_one_row_statistics(dsn: str, change: str = "") -> None:
    """Issue 12's state for every table: TRUNCATEd and filled again with its own rows (as the bench
    resets the cost tables and migrate-costs refills them), and analyzed by another session while that
    fill was not committed yet — every page counted, no live row on them (an empty table: none on
    none), the column statistics of the earlier fill kept. ``change``: SQL run on the held rows first
    (``held_<table>``) before they go back."""
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        names = sql.SQL(", ").join(map(sql.Identifier, TABLES))
        for table in TABLES:
            cur.execute(
                sql.SQL("CREATE TABLE {} AS TABLE {}").format(
                    sql.Identifier(f"held_{table}"), sql.Identifier(table)
                )
            )
        if change:
            cur.execute(change)
        cur.execute(sql.SQL("TRUNCATE {} CASCADE").format(names))
        conn.commit()
        cur.execute("SET LOCAL session_replication_role = replica")  # the rows are back as they were
        for table in TABLES:
            cur.execute(
                sql.SQL("INSERT INTO {} SELECT * FROM {}").format(
                    sql.Identifier(table), sql.Identifier(f"held_{table}")
                )
            )
        analyze_from_another_session(dsn, TABLES)
        conn.commit()
        for table in TABLES:
            cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(f"held_{table}")))
        conn.commit()
        for table in ("tasks_timer", "tasks_part", "tasks_partcostaguser"):
            cur.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.Identifier(table)))
            if cur.fetchone()[0]:
                assert estimated_rows(conn, table) == 1, (
                    f"{table}: the test needs statistics that say one row"
                )
        conn.rollback()


def assert_no_rescans(phase: str, audit: PlanAudit) -> None:
    assert audit.plans, f"{phase}: no statement was audited"
    assert not audit.problems(), (
        f"{phase} re-reads tables per row:\n" + "\n".join(audit.problems()) + "\n\n" + audit.explained()
    )


def test_the_recompute_reads_and_writes_by_key_when_statistics_say_one_row(dsn):
    """The writer's UPDATEs (the cliff), DELETEs and COPYs, the loads, the fingerprint and the set-based
    foreign-key checks, for a list of parts, a batch drained from the queue (skipping a part this
    drainer failed on) and two full partitions."""
    factory(dsn, tasks=0, parts=3000)
    refill_with_one_row_statistics(dsn)
    worker = Worker(dsn, WorkCalendar.parse())
    worker.conn.close()
    audit = PlanAudit()
    worker.conn = audited(dsn, audit)
    try:
        listed = worker.recompute(Scope.keys(["PT-N-000001", "PT-N-000002", "PT-N-000005"]))
        failed_before = {("PT-N-000003", datetime(2024, 6, 1, 0, 0, 3, tzinfo=timezone.utc))}
        drained = drain_batch(worker, DrainOptions(batch_size=400), skip=failed_before)
        partitions = [worker.recompute(Scope(2, 0)), worker.recompute(Scope(2, 1))]
    finally:
        worker.close()

    assert (listed.counts.updated, listed.counts.deleted, listed.counts.inserted) == (8, 2, 4)
    assert drained.parts == 400 and "PT-N-000003" not in drained.scope.part_keys
    for partition in partitions:
        counts = partition.counts
        assert counts.updated > 2000 and counts.deleted > 500 and counts.inserted > 500, counts
    assert len(audit.statements_like("UPDATE tasks_partcostaguser AS stored")) == 4
    assert_no_rescans("recompute", audit)


def test_the_night_migration_plans_stay_keyed_or_hashed_when_statistics_say_one_row(dsn, monkeypatch):
    """migrate-tasks' batches, migrate-costs, validate, drift and the rollback plan, run by a role whose
    ANALYZE would be skipped (so the statistics stay wrong all along, as the tables fill)."""
    factory(dsn, tasks=3000, parts=1000)
    refill_with_one_row_statistics(dsn)
    monkeypatch.setattr(
        partcost.migration.migrate_tasks, "refresh_statistics", lambda conn, tables: list(tables)
    )
    monkeypatch.setattr(
        partcost.migration.migrate_costs,
        "refresh_statistics",
        lambda conn, tables: list(tables),
        raising=False,
    )
    phases = {
        "migrate-tasks": lambda conn: list(migrate_tasks(conn, batch_size=1000)),
        "migrate-costs": migrate_costs,
        "validate": validate,
        "drift": drift,
        "rollback plan": rollback_plan,
    }
    outcomes, audits = {}, {}
    for phase, work in phases.items():
        audits[phase] = PlanAudit()
        with closing(audited(dsn, audits[phase])) as conn:
            outcomes[phase] = work(conn)

    assert sum(len(batch.migrated) for batch in outcomes["migrate-tasks"]) == 3000
    totals, per_user = outcomes["migrate-costs"]
    assert (totals.migrated, per_user.migrated) == (3000, 6000)
    assert outcomes["validate"].passed, outcomes["validate"].errors
    assert outcomes["drift"].parts == 3000 and outcomes["rollback plan"]["timers"] == 15000
    for phase, audit in audits.items():
        assert_no_rescans(phase, audit)
        assert not audit.disabled(), f"{phase} needs a join it switched off:\n" + "\n".join(audit.disabled())


def test_migrate_costs_leaves_the_cost_tables_analyzed_whenever_autovacuum_comes_by(dsn):
    """Issue 12's state: autovacuum's ANALYZE of the cost tables while migrate-costs' rows are not
    committed yet. migrate-costs ANALYZEs them itself in its own transaction, holding off any other
    ANALYZE of them until it commits: the night's recompute starts with statistics that are right."""
    factory(dsn, tasks=500, parts=0)
    assert run(dsn, "migrate-tasks").exit_code == 0
    autovacuum_came_by = []

    class AutovacuumBeforeCommit(psycopg2.extensions.connection):
        def commit(self):
            with closing(psycopg2.connect(dsn)) as other:
                other.autocommit = True
                with other.cursor() as cur:
                    cur.execute("SET lock_timeout = '200ms'")
                    try:
                        cur.execute("ANALYZE tasks_partcostagg, tasks_partcostaguser")
                        autovacuum_came_by.append(True)
                    except psycopg2.errors.LockNotAvailable:
                        autovacuum_came_by.append(False)  # held off by migrate-costs' own ANALYZE
            super().commit()

    with closing(psycopg2.connect(dsn, connection_factory=AutovacuumBeforeCommit)) as conn:
        totals, per_user = migrate_costs(conn)
        assert (totals.migrated, per_user.migrated) == (500, 1000)

    with closing(psycopg2.connect(dsn)) as conn:
        assert (estimated_rows(conn, "tasks_partcostagg"), estimated_rows(conn, "tasks_partcostaguser")) == (
            500,
            1000,
        ), f"the recompute would start from wrong statistics (autovacuum's ANALYZE ran: {autovacuum_came_by})"


def test_a_role_that_may_not_analyze_the_cost_tables_copies_them_and_is_told(dsn, conn, build):
    """ANALYZE by a role that does not own a table (nor holds MAINTAIN on it) would be skipped with a
    warning: migrate-costs does not try, still copies everything and says what the owner may do."""
    factory(dsn, tasks=50, parts=0)
    assert run(dsn, "migrate-tasks").exit_code == 0
    role = f"partcost_copier_{os.getpid()}_{next(_roles)}"
    database = conn.get_dsn_parameters()["dbname"]
    grants = [
        "CREATE ROLE {role} LOGIN",
        "GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}",
        "GRANT USAGE ON SCHEMA public TO {role}",
        "GRANT SELECT ON django_content_type, tasks_part, machining_jobcostagg, machining_jobcostagguser,"
        " auth_user, machining_task, tasks_operation, tasks_timer, users_wagerate, core_currencyratesnapshot,"
        " tasks_partcostrecalcqueue TO {role}",
        "GRANT SELECT, INSERT ON tasks_partcostagg, tasks_partcostaguser TO {role}",
    ]
    with conn.cursor() as cur:
        for grant in grants:
            cur.execute(sql.SQL(grant).format(role=sql.Identifier(role), database=sql.Identifier(database)))
    conn.commit()
    try:
        result = run(psycopg2.extensions.make_dsn(dsn, user=role), "migrate-costs")
        assert result.exit_code == 0, result.output
        assert (
            "Note: planner statistics of tasks_partcostagg, tasks_partcostaguser not refreshed: this role may"
            " not ANALYZE them"
        ) in result.output
        assert "WARNING" not in result.output
        with conn.cursor() as cur:
            cur.execute(
                "SELECT (SELECT count(*) FROM tasks_partcostagg), (SELECT count(*) FROM tasks_partcostaguser)"
            )
            assert cur.fetchone() == (50, 100)
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'tasks_partcostaguser'")
            assert cur.fetchone() == (0,)  # left as they were: the table was empty when last analyzed
        conn.rollback()
    finally:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP OWNED BY {role}; DROP ROLE {role}").format(role=sql.Identifier(role)))
        conn.commit()


# What the recompute ran before issue 12: the changed rows staged in a table without index or
# statistics, applied by a join.
OLD_STAGING = """CREATE TEMPORARY TABLE old_changed_user_costs (
    id bigint, part_id text, user_id integer, job_no_cached text, currency text,
    hours_ww numeric, hours_ah numeric, hours_su numeric,
    cost_ww numeric, cost_ah numeric, cost_su numeric, total_cost numeric
) ON COMMIT DELETE ROWS"""
OLD_UPDATE = """UPDATE tasks_partcostaguser AS stored
SET job_no_cached = changed.job_no_cached, currency = changed.currency,
    hours_ww = changed.hours_ww, hours_ah = changed.hours_ah, hours_su = changed.hours_su,
    cost_ww = changed.cost_ww, cost_ah = changed.cost_ah, cost_su = changed.cost_su,
    total_cost = changed.total_cost, updated_at = now()
FROM old_changed_user_costs AS changed
WHERE stored.id = changed.id"""


def test_the_audit_finds_the_cliff_in_the_update_the_recompute_used_to_run(dsn):
    """The check itself, on the statement issue 12 found minutes long: with the cost table's statistics
    saying one row, the join is planned as a loop over the stored rows reading all changed rows again
    for each."""
    factory(dsn, tasks=0, parts=3000)
    refill_with_one_row_statistics(dsn)
    audit = PlanAudit()
    with closing(audited(dsn, audit)) as conn, conn.cursor() as cur:
        cur.execute(OLD_STAGING)
        cur.execute(
            "INSERT INTO old_changed_user_costs SELECT id, part_id, user_id, 'J', 'EUR', 1, 0, 0, 2, 0, 0, 2"
            " FROM tasks_partcostaguser"
        )
        cur.execute(OLD_UPDATE)
        conn.rollback()
    ((statement, plan, pages),) = audit.statements_like("UPDATE tasks_partcostaguser") and [
        entry for entry in audit.plans if entry[0].startswith("UPDATE")
    ]
    assert rescans(plan, pages) == [
        "Nested Loop inner: Seq Scan on old_changed_user_costs re-scanned per outer row"
    ], outline(plan)


def test_the_dry_run_reaches_a_batch_s_timers_by_key_not_by_reading_every_timer(dsn):
    """The dry run's timer rehearsal, planned on honest statistics: it must find the batch's timers
    through the (content type, object) index. Joined, the planner read every timer still on a task,
    by a scan or by the content type alone, once per batch — a dry run growing with batches × timers
    (204 s at 1,000,000 tasks, 54 s once keyed)."""
    factory(dsn, tasks=3000, parts=1000)
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        rehearsal = partcost.migration.migrate_tasks.timer_rehearsal(conn)
        cur.execute(sql_file("migration/migrate_tasks_batch_table"))
        partcost.migration.migrate_tasks._load_and_classify(
            cur, partcost.migration.migrate_tasks.Keys(), 1000
        )
        content_types = {
            "task_type": content_type_id(conn, "machining", "task"),
            "operation_type": content_type_id(conn, "tasks", "operation"),
        }
        update = statements(rehearsal.as_string(cur))[0]
        cur.execute("EXPLAIN (FORMAT JSON) " + cur.mogrify(update, content_types).decode())
        plan = cur.fetchone()[0][0]["Plan"]
    reads = reads_of(plan, "tasks_timer")
    assert reads and all(keyed_by_batch(node) for node in reads), outline([{"Plan": plan}])


def reads_of(node: dict, table: str) -> list:
    scan = node.get("Relation Name") == table and node.get("Node Type") != "ModifyTable"
    found = [node] if scan else []
    return found + [hit for child in node.get("Plans", []) for hit in reads_of(child, table)]


def keyed_by_batch(node: dict) -> bool:
    """Found by a task's key (its timers) or by the ids found so, never by content type alone."""
    condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
    return "object_id" in condition or "(id = ANY" in condition


def test_the_proof_of_a_partition_s_written_rows_may_scan_with_parallel_workers(dsn):
    """verify_written.sql reads a partition's rows of both cost tables through its hash filter, once per
    partition: at 1,000,000 tasks 0.40 s serially, 0.22 s with two parallel workers. One parallel-unsafe
    call in it (the transaction's own xid) forbids them all, so that xid comes as a parameter."""
    factory(dsn, tasks=0, parts=300)
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
            cur.execute(sql.SQL("SET {} = 0").format(sql.Identifier(setting)))
        cur.execute(sql_file("recompute/transaction_xid"))
        (xid,) = cur.fetchone()
        cur.execute(
            "EXPLAIN (FORMAT JSON) " + sql_file("recompute/verify_written"),
            {**Scope(4, 1).params(), "xid": xid},
        )
        plan = cur.fetchone()[0][0]["Plan"]

    assert parallel_scans(plan) == {"tasks_partcostagg", "tasks_partcostaguser"}, outline([{"Plan": plan}])


def parallel_scans(node: dict) -> set:
    found = {node["Relation Name"]} if node.get("Parallel Aware") and "Relation Name" in node else set()
    return found.union(*(parallel_scans(child) for child in node.get("Plans", [])))


def test_whole_table_comparisons_hash_in_cache_sized_batches_and_never_raise_work_mem(conn):
    def setting(cur, name):
        cur.execute(sql.SQL("SHOW {}").format(sql.Identifier(name)))
        return cur.fetchone()[0]

    with conn.cursor() as cur:
        cur.execute("SET work_mem = '256MB'")
        with comparing_whole_tables(cur):
            inside = (setting(cur, "work_mem"), setting(cur, "enable_nestloop"))
        after = (setting(cur, "work_mem"), setting(cur, "enable_nestloop"))
        cur.execute("SET work_mem = '1MB'")
        with comparing_whole_tables(cur):
            smaller = setting(cur, "work_mem")
    assert inside == (COMPARISON_WORK_MEM, "off")
    assert after == ("256MB", "on")
    assert smaller == "1MB"
