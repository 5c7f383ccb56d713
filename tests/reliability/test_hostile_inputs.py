"""Hostile values in every input column ``partcost recompute`` reads, against the exact reference.

Timers get int64 timestamps of any sign and size (microseconds, ±2^63, the calendar's edges), wages
numeric 0 / the column's maximum, FX snapshots JSON of any shape (strings, arrays, nested objects,
exponents, negative zero), in four time zones up to ±12 h and more; one database in four also gets
one unpriceable value (a NaN or negative wage, a non-numeric or absurdly long EUR rate, a date
'infinity', BC or past 9999).
Whatever the draw, a run exits 0, 1 or 2 without a traceback; on 2 (refused) nothing is written;
otherwise exactly the parts the reference says must fail are named, keep their rows, and every other
part equals the reference."""

import re
from contextlib import closing
from datetime import date, datetime, timezone
from decimal import Decimal

import polars as pl
import psycopg2
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from partcost.cli.main import partcost
from partcost.errors import PartcostError
from partcost.recompute.aggregate import aggregate, unwritable_parts
from partcost.recompute.price import build_prices
from tests.conftest import TEMPLATE
from tests.support.builder import Builder
from tests.support.cost_checks import assert_exact_but_failed_parts_as_before, cost_tables
from tests.support.recompute_runs import stale_cost_rows
from tests.support.reference import (
    CALENDAR_END_MS,
    CALENDAR_FIRST_MS,
    Options,
    Refused,
    expected_outcome,
    on_the_calendar,
)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DAY_MS = 86_400_000
MARCH_2024 = (
    int(datetime(2024, 3, 1, tzinfo=timezone.utc).timestamp() * 1000),
    int(datetime(2024, 3, 20, tzinfo=timezone.utc).timestamp() * 1000),
)
ZONES = ("Europe/Istanbul", "Pacific/Kiritimati", "Etc/GMT+12", "America/New_York")
PARTS = tuple(f"H{n}" for n in range(5))
FAILED_LINE = re.compile(r"^  ✗ (.+?): (.*)$", re.MULTILINE)
# the engine's own limit: a rate the reference could price, but not over one Int128 denominator
ENGINE_REFUSAL = "with too many digits to price exactly"


def mostly(usual, *hostile):
    """``usual`` seven times in eight, else one of ``hostile``."""
    return st.integers(0, 7).flatmap(lambda n: usual if n else st.sampled_from(hostile))


ordinary_ms = st.integers(*MARCH_2024)
near_the_edges_ms = st.one_of(
    st.integers(CALENDAR_FIRST_MS, CALENDAR_FIRST_MS + 2 * DAY_MS),
    st.integers(CALENDAR_END_MS - 2 * DAY_MS, CALENDAR_END_MS - 1),
)
off_the_calendar_ms = st.one_of(
    st.integers(INT64_MIN, CALENDAR_FIRST_MS - 1),
    st.integers(CALENDAR_END_MS, INT64_MAX),
    st.sampled_from([INT64_MIN, INT64_MAX, CALENDAR_FIRST_MS - 1, CALENDAR_END_MS]),
)


def forward_from(start):
    return st.tuples(start, st.integers(-DAY_MS, 3 * DAY_MS)).map(lambda pair: (pair[0], pair[0] + pair[1]))


on_the_calendar_timers = st.one_of(forward_from(ordinary_ms), forward_from(near_the_edges_ms))
any_timers = st.one_of(
    on_the_calendar_timers,
    st.tuples(ordinary_ms, off_the_calendar_ms),
    st.tuples(off_the_calendar_ms, ordinary_ms),
    st.tuples(off_the_calendar_ms, off_the_calendar_ms),
    ordinary_ms.map(lambda start: (start, (start + 3_600_000) * 1000)),  # finish stored in microseconds
)
# Priceable however hostile: such values must give exact rows (or fail their part).
dates = mostly(st.dates(date(2024, 2, 25), date(2024, 3, 20)).map(str), "0001-01-01", "9999-12-31")
base_monthly = mostly(st.decimals(0, Decimal("99999999.9999"), places=4).map(str), "0", "99999999.9999")
multiplier = mostly(st.decimals(0, Decimal("999.999"), places=3).map(str), "0", "999.999")
eur = mostly(
    st.one_of(
        st.decimals(0, 1, places=6).map(str),
        st.decimals(0, 1, places=6).map(lambda d: f"{d:E}"),
        st.decimals(0, 1, places=6).map(lambda d: f'"{d:e}"'),
    ),
    "null",
    "0",
    "-0",
    "-0.0",
    '"-0"',
    "1e-3",
    '"2.5E+1"',
    '" 0.03 "',
    '"1_000"',
    "1e6",
    "1E+2",
)
rates = mostly(
    eur.map(lambda value: f'{{"EUR": {value}, "USD": 0.03}}'),
    "[1, 2]",
    '"x"',
    "null",
    "5",
    "{}",
    '{"eur": 0.03}',
    '{"EUR": 0.03, "EUR": null}',
)
# Unpriceable: one of these in a database refuses the whole run. (table, column, value)
POISONS = (
    [
        ("fx", "eur", value)
        for value in (
            "-0.03",
            '"NaN"',
            '"Infinity"',
            '"abc"',
            '""',
            "true",
            "[0.03]",
            '{"EUR": 0.03}',
            '"1e999999999"',
            "1e-40",
        )
    ]
    + [
        ("wage", "effective_from", value)
        for value in ("infinity", "-infinity", "0100-01-01 BC", "20000-01-01")
    ]
    + [("wage", column, value) for column in ("base_monthly", "sunday_multiplier") for value in ("NaN", "-1")]
    + [("fx", "date", value) for value in ("infinity", "5874897-12-31")]
)
job_no = st.sampled_from([None, "J-1", "", "J" * 101])


@st.composite
def hostile_database(draw):
    return {
        "zone": draw(st.sampled_from(ZONES)),
        "wages": draw(
            st.lists(
                st.tuples(st.integers(0, 2), dates, base_monthly, multiplier, multiplier),
                max_size=4,
                unique_by=lambda wage: wage[:2],
            )
        ),
        "fx": draw(st.lists(st.tuples(dates, rates), max_size=3, unique_by=lambda snapshot: snapshot[0])),
        "parts": [
            (draw(job_no), draw(st.lists(st.tuples(st.integers(0, 2), timers), max_size=3)))
            for timers in [any_timers] * 2 + [on_the_calendar_timers] * (len(PARTS) - 2)
        ],
        "poison": draw(st.sampled_from([None] * 3 * len(POISONS) + POISONS)),  # one database in four
    }


def fill(conn, data) -> dict:
    """The drawn rows, an earlier run's rows on every part; returns {part: [(timer id, start, finish)]}."""
    build = Builder(conn)
    users = [build.user() for _ in range(3)]
    with conn.cursor() as cur:
        for user, effective_from, base, after_hours, sunday in data["wages"]:
            cur.execute(
                "INSERT INTO users_wagerate (user_id, effective_from, currency, base_monthly,"
                " after_hours_multiplier, sunday_multiplier, created_at, updated_at)"
                " VALUES (%s, %s::date, 'TRY', %s::numeric, %s::numeric, %s::numeric, now(), now())",
                (users[user], effective_from, base, after_hours, sunday),
            )
        for day, snapshot in data["fx"]:
            cur.execute(
                "INSERT INTO core_currencyratesnapshot (provider, date, base, rates, created_at)"
                " VALUES ('test', %s::date, 'TRY', %s::jsonb, now())",
                (day, snapshot),
            )
        if data["poison"]:
            poison(cur, users[2], *data["poison"])
    timer_ids = {}
    for key, (job, part_timers) in zip(PARTS, data["parts"]):
        build.part(key, job_no=job)
        build.operation(f"{key}-OP", key)
        timer_ids[key] = [
            (build.timer(users[user], f"{key}-OP", start, finish), start, finish)
            for user, (start, finish) in part_timers
        ]
    build.commit()
    for key in PARTS:
        stale_cost_rows(conn, key, users[0])
    return timer_ids


def poison(cur, user, table, column, value) -> None:
    """One unpriceable value, in a row of its own (dated before every drawn one)."""
    if table == "wage":
        row = {
            "effective_from": "2024-01-15",
            "base_monthly": "30000",
            "sunday_multiplier": "2",
            column: value,
        }
        cur.execute(
            "INSERT INTO users_wagerate (user_id, effective_from, currency, base_monthly,"
            " after_hours_multiplier, sunday_multiplier, created_at, updated_at)"
            " VALUES (%s, %s::date, 'TRY', %s::numeric, 1.5, %s::numeric, now(), now())",
            (user, row["effective_from"], row["base_monthly"], row["sunday_multiplier"]),
        )
    else:
        day, eur_value = (value, "0.03") if column == "date" else ("2024-01-15", value)
        cur.execute(
            "INSERT INTO core_currencyratesnapshot (provider, date, base, rates, created_at)"
            " VALUES ('test', %s::date, 'TRY', %s::jsonb, now())",
            (day, f'{{"EUR": {eur_value}}}'),
        )


@pytest.fixture
def fresh_database(pg):
    """A factory of fresh databases, one per hypothesis example (a fixture would be one per test)."""
    made = []

    def make():
        made.append(pg.create_database(TEMPLATE))
        return pg.dsn(made[-1])

    yield make
    for name in made:
        pg.drop_database(name)


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=hostile_database())
def test_hostile_inputs_fail_alone_or_are_refused_never_crash(fresh_database, data):
    dsn = fresh_database()
    with closing(psycopg2.connect(dsn)) as conn:
        timer_ids = fill(conn, data)
        before = cost_tables(conn)
    options = Options(timezone=data["zone"])

    result = CliRunner().invoke(partcost, ["--dsn", dsn, "recompute", "--workers", "2", *options.cli_args()])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        event(re.sub(r"\d+", "N", result.output.splitlines()[-1][:60]))
    if result.exit_code == 2 and ENGINE_REFUSAL in result.output:
        return assert_refused(dsn, before, result.output)
    with closing(psycopg2.connect(dsn)) as conn:
        try:
            expected = expected_outcome(conn, options)
        except Refused:
            return assert_refused(dsn, before, result.output)
    failed = dict(FAILED_LINE.findall(result.output))
    assert set(failed) == expected.failed, result.output
    assert result.exit_code == (1 if expected.failed else 0), result.output
    for key, reason in failed.items():
        off = [
            timer
            for timer, start, finish in timer_ids[key]
            if finish > start and not (on_the_calendar(start) and on_the_calendar(finish))
        ]
        if off:
            assert reason.startswith(f"timer {min(off)}'s "), reason
    assert_exact_but_failed_parts_as_before(dsn, expected.failed, before, options)


def assert_refused(dsn, before, output) -> None:
    """Refused before anything was written, in one line."""
    with closing(psycopg2.connect(dsn)) as conn:
        assert cost_tables(conn) == before
    assert len([line for line in output.splitlines() if line.startswith("Error:")]) == 1, output


def test_a_rate_that_would_wrap_the_int128_sum_is_refused():
    """2^45 seconds is 9.8·10^9 hours, which hours numeric(12, 2) holds; at an EUR rate of 2^83 the
    sum seconds × rate is 2^128, which polars' Int128 silently wraps to 0 — a part whose true cost
    overflows every column would be written with a cost of 0.00. Such a rate must be refused, or
    the part must fail."""
    wages = pl.DataFrame(
        {
            "user_id": [1],
            "effective_from": [date(2024, 1, 1)],
            "base_monthly": ["30000"],
            "after_hours_multiplier": ["1.5"],
            "sunday_multiplier": ["2"],
        }
    )
    fx = pl.DataFrame({"date": [date(2024, 1, 1)], "eur_kind": ["number"], "eur": [str(2**83)]})
    try:
        prices = build_prices(wages, (None, None, None), fx)
    except PartcostError as refused:
        assert "core_currencyratesnapshot for 2024-01-01 has an EUR rate" in refused.message
        return
    priced = pl.DataFrame(
        {
            "p": [0],
            "user_id": [1],
            "d": [date(2024, 3, 4)],
            "ww": [2**45],
            "ah": [0],
            "su": [0],
            "w": [0],
            "fx_numerator": pl.Series([2**83], dtype=pl.Int128),
        },
        schema_overrides={"p": pl.UInt32},
    )
    parts = pl.DataFrame({"p": [0], "part_id": ["P1"], "job_no": ["J"]}, schema_overrides={"p": pl.UInt32})
    part_rows, user_rows = aggregate(priced, prices, parts)
    assert unwritable_parts(part_rows, user_rows, pl.Series([1]))["part_id"].to_list() == ["P1"]
