"""The bad-input catalogue: every input the operator or the data can get wrong, with the exit status
and the one line the user sees, and proof that nothing was corrupted.

Each case starts from the reliability factory plus an earlier run's rows on PT-000 (so "nothing
corrupted" has something to lose), applies its setup, runs one command and checks the outcome:
UNCHANGED (both cost tables exactly as before) or EXACT (equal to the exact reference, less the parts
the case expects to fail, whose rows stay as they were). The README's "Reliability" section lists
the same outcomes."""

import os
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

import psycopg2
import psycopg2.extensions
import pytest
from click.testing import CliRunner

from partcost.cli.main import partcost
from tests.support.cost_checks import (
    assert_exact_but_failed_parts_as_before,
    assert_no_half_written_part,
    cost_tables,
    outcomes,
)
from tests.support.recompute_runs import stale_cost_rows

PASSWORD = "S3cretPW"
UNCHANGED, EXACT = "unchanged", "exact"
UNWRITABLE = "<an unwritable directory>"  # replaced by the unwritable_directory fixture's path


@dataclass
class Case:
    name: str
    args: tuple[str, ...]
    exit: int
    says: str
    outcome: str = UNCHANGED
    setup: str | None = None  # SQL run as the owner before the command
    build: Callable | None = None  # or a function of (builder, a worker's id)
    dsn: Callable | None = None  # the DSN to give, from (dsn, request)
    failing_parts: tuple[str, ...] = ()  # EXACT but for these (left as they were)
    only_parts: tuple[str, ...] = ()  # EXACT for just these; the other parts unchanged


def recompute(*args):
    return ("recompute", "--workers", "1", *args)


def other_database(**parameters):
    return lambda dsn, request: psycopg2.extensions.make_dsn(dsn, **parameters)


def hostile_part(key):
    """A part, its operation and a timer, all keyed by ``key`` (job_no too, cut to its 100)."""

    def build(b, worker):
        b.part(key, job_no=key[:100])
        b.operation(key, key)
        b.timer(worker, key, "2024-03-05 06:00:00.999", "2024-03-05 19:45:30.001")

    return build


def timer(start, finish):
    return lambda b, worker: b.timer(worker, "PT-005-OP-1", start, finish)


def fx(**rates):
    return lambda b, worker: b.fx("2024-03-05", rates=rates)


CASES = [
    # -- the database itself
    Case(
        "unreachable host",
        recompute(),
        2,
        "cannot connect to the database postgresql://u:***@127.0.0.1:1/x",
        dsn=lambda dsn, request: f"postgresql://u:{PASSWORD}@127.0.0.1:1/x",
    ),
    Case(
        "wrong password",
        recompute(),
        2,
        "password authentication failed for user",
        dsn=lambda dsn, request: request.getfixturevalue("password_role_dsn"),
    ),
    Case(
        "missing database",
        recompute(),
        2,
        'database "no_such_database" does not exist',
        dsn=other_database(dbname="no_such_database"),
    ),
    Case(
        "missing tables",
        recompute(),
        2,
        "the database lacks django_content_type",
        dsn=lambda dsn, request: request.getfixturevalue("empty_dsn"),
    ),
    Case(
        "before the runbook's Phase 2",
        recompute(),
        2,
        "run `partcost schema upgrade`",
        dsn=lambda dsn, request: request.getfixturevalue("dsn_before_upgrade"),
    ),
    Case(
        "a table missing a column",
        recompute(),
        2,
        "the database lacks tasks_timer.finish_time",
        setup="ALTER TABLE tasks_timer DROP COLUMN finish_time",
    ),
    Case(
        "no content type row for tasks.operation",
        recompute(),
        2,
        "django_content_type has no row for ('tasks', 'operation')",
        setup="UPDATE django_content_type SET model = 'operation_v0' WHERE app_label = 'tasks' AND model = 'operation'",
    ),
    # -- timers
    Case(
        "NULL finish (still running): not counted",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=timer("2024-03-05 08:00", None),
    ),
    Case(
        "finish before start: not counted",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=timer("2024-03-05 12:00", "2024-03-05 08:00"),
    ),
    Case(
        "zero-length timer",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=timer("2024-03-05 12:00", "2024-03-05 12:00"),
    ),
    Case(
        "a 1970 to 2100 timer: split day by day",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=timer("1970-01-01 00:00", "2100-01-01 00:00"),
    ),
    Case(
        "a finish_time stored in microseconds: that part fails, naming the timer",
        recompute("--workers", "2"),
        1,
        "PT-005: timer ",
        EXACT,
        failing_parts=("PT-005",),
        setup="UPDATE tasks_timer SET finish_time = finish_time * 1000 WHERE object_id = 'PT-005-OP-1'",
    ),
    Case(
        "a start_time of -2^63: that part fails",
        recompute(),
        1,
        "is outside 0001-01-02 to 9999-12-30 UTC",
        EXACT,
        failing_parts=("PT-006",),
        setup="UPDATE tasks_timer SET start_time = -9223372036854775808 WHERE object_id = 'PT-006-OP-1'",
    ),
    Case(
        "a timer from 2^63-1 back to -2^63: not counted",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=timer(9223372036854775807, -9223372036854775808),
    ),
    Case(
        "a timer's user missing from auth_user: that part fails",
        recompute(),
        1,
        "PT-007: a timer's user_id 987654 is not in auth_user",
        EXACT,
        failing_parts=("PT-007",),
        setup="SET session_replication_role = replica;"
        " UPDATE tasks_timer SET user_id = 987654 WHERE object_id = 'PT-007-OP-1'",
    ),
    # -- FX rates
    Case(
        "a non-numeric EUR rate",
        recompute(),
        2,
        "core_currencyratesnapshot for 2024-03-05 has a non-numeric EUR rate 'abc'",
        build=fx(EUR="abc"),
    ),
    Case(
        "a negative EUR rate",
        recompute(),
        2,
        "core_currencyratesnapshot for 2024-03-05 has a negative EUR rate -0.03",
        build=fx(EUR=-0.03),
    ),
    Case(
        "an EUR rate of true",
        recompute(),
        2,
        "core_currencyratesnapshot for 2024-03-05 has a non-numeric EUR rate",
        build=fx(EUR=True),
    ),
    Case(
        "EUR rate JSON null: missing, the day's time is skipped",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=fx(EUR=None),
    ),
    Case(
        "no EUR in the rates: the day's time is skipped",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=fx(USD=0.03),
    ),
    Case(
        "rates JSON null as a whole: the day's time is skipped",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        setup="INSERT INTO core_currencyratesnapshot (provider, date, base, rates, created_at)"
        " VALUES ('test', '2024-03-05', 'TRY', 'null', now())",
    ),
    Case(
        "an EUR rate as a numeric string",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=fx(EUR="0.0305"),
    ),
    Case(
        "EUR rates with exponents, as numbers and strings",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        setup="UPDATE core_currencyratesnapshot SET rates = CASE WHEN date = '2024-01-01' THEN"
        ' \'{"EUR": 2.81e-2}\'::jsonb ELSE \'{"EUR": "2.79E-2"}\'::jsonb END',
    ),
    Case(
        'an EUR rate of "-0": the day\'s time is skipped',
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=fx(EUR="-0"),
    ),
    Case(
        "rates as a JSON array or string: no EUR, the day's time is skipped",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        setup="UPDATE core_currencyratesnapshot SET rates = CASE WHEN date = '2024-01-01' THEN '[0.03]'::jsonb"
        " ELSE '\"0.03\"'::jsonb END",
    ),
    Case(
        "an EUR rate that is a JSON object",
        recompute(),
        2,
        "core_currencyratesnapshot for 2024-03-05 has a non-numeric EUR rate",
        build=fx(EUR={"value": 0.03}),
    ),
    Case(
        "an EUR rate string of NaN",
        recompute(),
        2,
        "core_currencyratesnapshot for 2024-03-05 has a non-numeric EUR rate 'NaN'",
        build=fx(EUR="NaN"),
    ),
    Case(
        "an EUR rate with 300 decimal places",
        recompute(),
        2,
        "core_currencyratesnapshot for 2024-03-08 has an EUR rate 0.00000000000000000000000000000000000... with"
        " too many digits to price exactly",
        setup="UPDATE core_currencyratesnapshot SET rates = '{\"EUR\": 1e-300}' WHERE date = '2024-03-08'",
    ),
    Case(
        "an EUR rate string of 1e999999999",
        recompute(),
        2,
        "core_currencyratesnapshot for 2024-03-05 has an EUR rate 1e999999999 with too many digits",
        build=fx(EUR="1e999999999"),
    ),
    Case(
        "a snapshot dated infinity",
        recompute(),
        2,
        "core_currencyratesnapshot has a row for infinity, a date outside the years 1-9999",
        setup="UPDATE core_currencyratesnapshot SET date = 'infinity' WHERE date = '2024-03-08'",
    ),
    Case(
        "costs beyond numeric(16, 2): those parts fail",
        recompute(),
        1,
        "hours or cost beyond the columns' numeric range",
        EXACT,
        failing_parts=tuple(f"PT-{n:03}" for n in range(48) if n % 3 == 0 or n % 5 == 0),
        setup="UPDATE users_wagerate SET base_monthly = 99999999.9999, after_hours_multiplier = 999.999,"
        " sunday_multiplier = 999.999;"
        " UPDATE core_currencyratesnapshot SET rates = '{\"EUR\": 1e6}' WHERE date = '2024-03-08'",
    ),
    # -- wages
    Case(
        "base_monthly = 0: cost 0, hours counted",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        setup="UPDATE users_wagerate SET base_monthly = 0",
    ),
    Case(
        "a negative base_monthly",
        recompute(),
        2,
        "has a negative",
        setup="UPDATE users_wagerate SET base_monthly = -1 WHERE effective_from = '2024-03-07'",
    ),
    Case(
        "a NaN base_monthly",
        recompute(),
        2,
        "from 2024-03-07 has a base_monthly or multiplier that is not a number (NaN",
        setup="UPDATE users_wagerate SET base_monthly = 'NaN' WHERE effective_from = '2024-03-07'",
    ),
    Case(
        "a wage effective from -infinity",
        recompute(),
        2,
        "has effective_from -infinity, a date outside the years",
        setup="UPDATE users_wagerate SET effective_from = '-infinity' WHERE effective_from = '2024-03-07'",
    ),
    Case(
        "no TRY wages at all: 1.0 / 1.5 / 2.0",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        setup="DELETE FROM users_wagerate",
    ),
    # -- awkward keys
    Case(
        "key with SQL in it",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=hostile_part("'); drop table x; --"),
    ),
    Case(
        "key with quotes", recompute(), 0, "RECOMPUTATION COMPLETE", EXACT, build=hostile_part('O\'Brien "7"')
    ),
    Case("key with a tab", recompute(), 0, "RECOMPUTATION COMPLETE", EXACT, build=hostile_part("PT\t9")),
    Case("key with a newline", recompute(), 0, "RECOMPUTATION COMPLETE", EXACT, build=hostile_part("PT\n9")),
    Case(
        "key with backslashes and \\N",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=hostile_part("\\N \\ \\."),
    ),
    Case(
        "key with non-ASCII letters",
        recompute(),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        build=hostile_part("Ç-ş 12 ğüİı"),
    ),
    Case(
        "a 255-character key", recompute(), 0, "RECOMPUTATION COMPLETE", EXACT, build=hostile_part("K" * 255)
    ),
    Case(
        "a job_no over 100 characters: that part fails",
        recompute(),
        1,
        "PT-011: job_no is 150 characters; job_no_cached holds 100",
        EXACT,
        failing_parts=("PT-011",),
        setup="UPDATE tasks_part SET job_no = repeat('J', 150) WHERE key = 'PT-011'",
    ),
    # -- options
    Case(
        "stop file in a missing directory",
        recompute("--stop-file", "/nonexistent/dir/stop"),
        2,
        "the stop file's directory /nonexistent/dir does not exist",
    ),
    Case("--workers 0", recompute("--workers", "0"), 2, "--workers must be between 1 and 64 (got 0)"),
    Case(
        "--workers 10000",
        recompute("--workers", "10000"),
        2,
        "--workers must be between 1 and 64 (got 10000)",
    ),
    Case(
        "unknown --timezone", recompute("--timezone", "Mars/Olympus"), 2, "unknown time zone 'Mars/Olympus'"
    ),
    Case("malformed --work-window", recompute("--work-window", "7:30"), 2, "malformed work window '7:30'"),
    Case(
        "--work-window out of range",
        recompute("--work-window", "07:30-24:00"),
        2,
        "hours 00-23, minutes 00-59",
    ),
    Case(
        "--work-window backwards",
        recompute("--work-window", "17:00-07:30"),
        2,
        "the end must be after the start",
    ),
    Case(
        "--partitions not a power of two",
        recompute("--partitions", "3"),
        2,
        "--partitions must be a power of two from 1 to 256 (got 3)",
    ),
    Case("--resume with nothing to resume", recompute("--resume"), 2, "nothing to resume"),
    Case(
        "--part-key of no part", recompute("--part-key", "NO-SUCH-PART"), 2, "no part with key 'NO-SUCH-PART'"
    ),
    Case(
        "drain-queue --workers 0",
        ("drain-queue", "--once", "--workers", "0"),
        2,
        "--workers must be between 1 and 64",
    ),
    Case(
        "drain-queue --batch-size 0",
        ("drain-queue", "--once", "--batch-size", "0"),
        2,
        "Invalid value for '--batch-size'",
    ),
    # -- the night migration's stages
    Case(
        "active timers at preflight",
        ("preflight",),
        2,
        "1 timer(s) still running: ask users to stop them or pass --allow-active-timers",
        build=lambda b, worker: b.timer(worker, b.task("M-777"), "2024-03-05 08:00", None, on="task"),
    ),
    Case("an unwritable backup directory", ("backup", "--out", UNWRITABLE), 2, "could not open output file"),
    Case(
        "migrate-tasks --batch-size 0",
        ("migrate-tasks", "--batch-size", "0"),
        2,
        "Invalid value for '--batch-size'",
    ),
    Case(
        "rollback of a migration without partcost's record",
        ("rollback", "--yes"),
        2,
        "1 migrated part(s) (first: 'PT-M-9') have no record of the timers their migration moved",
        setup="INSERT INTO tasks_part (key, name, task_key) VALUES ('PT-M-9', 'Old', 'M-9')",
    ),
    Case(
        "drain-queue: a queued part is recomputed, nothing else",
        ("drain-queue", "--once", "--workers", "1"),
        0,
        "RECOMPUTATION COMPLETE",
        EXACT,
        only_parts=("PT-000",),
        setup="INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES ('PT-000', now())",
    ),
    Case(
        "drain-queue: a queued part whose timers are gone loses its rows",
        ("drain-queue", "--once", "--workers", "1"),
        0,
        "Rows: 0 inserted, 0 updated, 2 deleted",
        EXACT,
        only_parts=("PT-000",),
        setup="DELETE FROM tasks_timer WHERE object_id = 'PT-000-OP-1';"
        " INSERT INTO tasks_partcostrecalcqueue (part_id, enqueued_at) VALUES ('PT-000', now())",
    ),
]


@pytest.fixture
def password_role_dsn(dsn, embedded_server):
    """A role that must give a password (scram over the socket); the DSN gives the wrong one."""
    if embedded_server is None:
        pytest.skip("PARTCOST_TEST_DSN names a server whose authentication these tests cannot change")
    hba = embedded_server.pgdata / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("local all partcost_password_check scram-sha-256\n" + original)
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("DROP ROLE IF EXISTS partcost_password_check")
        cur.execute("CREATE ROLE partcost_password_check LOGIN PASSWORD 'the right one'")
        cur.execute("SELECT pg_reload_conf()")
    try:
        yield psycopg2.extensions.make_dsn(dsn, user="partcost_password_check", password=PASSWORD)
    finally:
        hba.write_text(original)
        with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
            conn.autocommit = True
            cur.execute("SELECT pg_reload_conf()")
            cur.execute("DROP ROLE partcost_password_check")


@pytest.fixture
def unwritable_directory(tmp_path):
    """A directory no file can be created in (root writes anywhere except a read-only file system)."""
    if os.geteuid() == 0:
        return "/proc"
    directory = tmp_path / "read-only"
    directory.mkdir(mode=0o555)
    return str(directory)


def prepare(case: Case, conn, build) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT min(id) FROM auth_user")
        worker = cur.fetchone()[0]
    stale_cost_rows(conn, "PT-000", worker)
    if case.build:
        case.build(build, worker)
        build.commit()
    if case.setup:
        with conn.cursor() as cur:
            cur.execute(case.setup)
        conn.commit()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case, dsn, factory, conn, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default stop file lands here
    prepare(case, conn, factory)
    before = cost_tables(conn)
    given = case.dsn(dsn, request) if case.dsn else dsn
    args = [
        request.getfixturevalue("unwritable_directory") if arg == UNWRITABLE else arg for arg in case.args
    ]

    result = CliRunner().invoke(partcost, ["--dsn", given, *args])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.output  # no traceback
    assert "Traceback" not in result.output and PASSWORD not in result.output
    assert result.exit_code == case.exit, result.output
    assert case.says in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) <= 1
    if case.outcome == UNCHANGED:
        assert cost_tables(conn) == before
    elif case.only_parts:
        assert_no_half_written_part(conn)
        assert_exact_for_only(dsn, case.only_parts, before, conn)
    else:
        assert_no_half_written_part(conn)
        assert_exact_but_failed_parts_as_before(dsn, case.failing_parts, before)


def assert_exact_for_only(dsn, parts, before, conn) -> None:
    actual, expected = outcomes(dsn)
    assert {k: v for k, v in actual.parts.items() if k in parts} == {
        k: v for k, v in expected.parts.items() if k in parts
    }
    assert {k: v for k, v in actual.users.items() if k[0] in parts} == {
        k: v for k, v in expected.users.items() if k[0] in parts
    }
    others = lambda rows: [row for row in rows if row[0] not in parts]
    assert [others(rows) for rows in cost_tables(conn)] == [others(rows) for rows in before]


def test_the_catalogue_is_at_least_thirty_cases():
    assert len(CASES) >= 30
