"""The reference itself, checked against values worked out by hand from the rules.

2024-03-04 is a Monday, 2024-03-09 a Saturday, 2024-03-10 a Sunday."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.builder import local_ms
from tests.support.reference import Options, expected_outcome, round_half_up, split_timer

BERLIN = Options(timezone="Europe/Berlin")


def split(start: str, finish: str, options: Options = Options()) -> list:
    """Segments of a timer given in local wall-clock time, as (day, bucket, seconds)."""
    segments = split_timer(local_ms(start, options.timezone), local_ms(finish, options.timezone), options)
    return [(str(day), bucket, seconds) for day, bucket, seconds in segments]


def test_a_weekday_timer_splits_at_the_work_window_and_at_midnight():
    assert split("2024-03-04 07:00", "2024-03-05 08:00") == [
        ("2024-03-04", "ww", 9 * 3600 + 1800),  # 07:30–17:00
        ("2024-03-04", "ah", 1800 + 7 * 3600),  # 07:00–07:30 and 17:00–24:00
        ("2024-03-05", "ww", 1800),
        ("2024-03-05", "ah", 7 * 3600 + 1800),
    ]


def test_saturday_counts_like_a_weekday_and_sunday_is_all_sunday():
    assert split("2024-03-09 06:00", "2024-03-09 18:00") == [
        ("2024-03-09", "ww", 9 * 3600 + 1800),
        ("2024-03-09", "ah", 9000),
    ]
    assert split("2024-03-10 09:00", "2024-03-10 10:00") == [("2024-03-10", "su", 3600)]


def test_spans_ending_exactly_at_the_window_edges_or_midnight():
    assert split("2024-03-04 07:00", "2024-03-04 07:30") == [("2024-03-04", "ah", 1800)]
    assert split("2024-03-04 16:00", "2024-03-04 17:00") == [("2024-03-04", "ww", 3600)]
    assert split("2024-03-04 17:00", "2024-03-04 18:00") == [("2024-03-04", "ah", 3600)]
    assert split("2024-03-04 23:00", "2024-03-05 00:00") == [("2024-03-04", "ah", 3600)]


def test_fractions_of_a_second_are_dropped_per_span_and_per_window_overlap():
    # 1.2 s in all, 0.7 s of it inside the window: 1 s, of which 0 s ww, so 1 s after hours.
    assert split("2024-03-04 07:29:59.500", "2024-03-04 07:30:00.700") == [("2024-03-04", "ah", 1)]
    # 23:59:59.600 → 00:00:00.600 is 0.4 s + 0.6 s: both spans truncate to nothing.
    assert split("2024-03-04 23:59:59.600", "2024-03-05 00:00:00.600") == []


def test_reversed_and_zero_length_timers_give_nothing():
    assert split("2024-03-04 09:00", "2024-03-04 08:00") == []
    assert split("2024-03-04 09:00", "2024-03-04 09:00") == []


def test_daylight_saving_days_use_real_elapsed_time():
    # Europe/Berlin: Sunday 2024-03-31 has 23 hours, Sunday 2024-10-27 has 25.
    assert split("2024-03-31 00:00", "2024-04-01 00:00", BERLIN) == [("2024-03-31", "su", 23 * 3600)]
    assert split("2024-10-27 00:00", "2024-10-28 00:00", BERLIN) == [("2024-10-27", "su", 25 * 3600)]
    assert split("2024-03-30 20:00", "2024-04-01 08:00", BERLIN) == [
        ("2024-03-30", "ah", 4 * 3600),
        ("2024-03-31", "su", 23 * 3600),
        ("2024-04-01", "ww", 1800),
        ("2024-04-01", "ah", 7 * 3600 + 1800),
    ]


def test_a_different_work_window():
    from datetime import time

    early = Options(work_start=time(6, 0), work_end=time(14, 0))
    assert split("2024-03-04 05:00", "2024-03-04 15:00", early) == [
        ("2024-03-04", "ww", 8 * 3600),
        ("2024-03-04", "ah", 2 * 3600),
    ]


MARCH_2024 = local_ms("2024-03-01 00:00")


@settings(max_examples=300, deadline=None)
@given(start=st.integers(0, 31 * 86_400), length=st.integers(0, 5 * 86_400))
def test_whole_second_timers_lose_no_second_and_stay_in_the_window(start, length):
    """Any whole-second timer: the segments add up to its length, ww never exceeds 9.5 h a day."""
    start_ms = MARCH_2024 + start * 1000
    segments = split_timer(start_ms, start_ms + length * 1000)
    assert sum(segment.seconds for segment in segments) == length
    for day in {segment.day for segment in segments}:
        assert sum(s.seconds for s in segments if s.day == day and s.bucket == "ww") <= 9.5 * 3600
        assert all(s.bucket == "su" for s in segments if s.day == day) == (day.weekday() == 6)


@pytest.mark.parametrize(
    "value, rounded",
    [
        (Fraction(18, 3600), "0.01"),  # 18 s is 0.005 h: a tie, rounded up
        (Fraction(17, 3600), "0.00"),
        (Fraction(0), "0.00"),
        (Fraction(12345, 10), "1234.50"),
        (Fraction(1, 200) - Fraction(1, 10**30), "0.00"),  # just under the tie
        (Fraction(-1, 200), "-0.01"),  # ties away from zero
    ],
)
def test_rounding_is_half_up_on_the_exact_value(value, rounded):
    assert round_half_up(value) == rounded


# -- whole databases, priced by hand ------------------------------------------------------------


def test_pricing_by_hand(conn, build):
    worker = build.user()
    build.wage(worker, "2024-01-01", 4500, after_hours="1.5", sunday="2.0")  # 20 TRY an hour
    build.fx("2024-03-01", eur=0.5)
    build.part("P1", job_no="J-1")
    build.operation("P1-OP1", "P1")
    build.timer(worker, "P1-OP1", "2024-03-04 07:00", "2024-03-04 08:00")  # 0.5 h ww, 0.5 h ah
    build.timer(worker, "P1-OP1", "2024-03-10 10:00", "2024-03-10 10:00:18")  # 18 s on a Sunday
    build.commit()
    outcome = expected_outcome(conn)
    assert outcome.users[("P1", worker)] == {
        "job_no_cached": "J-1",
        "currency": "EUR",
        "hours_ww": "0.50",
        "hours_ah": "0.50",
        "hours_su": "0.01",
        "cost_ww": "5.00",  # 0.5 h × 20 × 0.5
        "cost_ah": "7.50",  # 0.5 h × 20 × 1.5 × 0.5
        "cost_su": "0.10",  # 0.005 h × 20 × 2 × 0.5
        "total_cost": "12.60",
    }
    assert outcome.parts == {"P1": outcome.users[("P1", worker)]}


def test_wage_and_fx_fallbacks_by_hand(conn, build):
    paid, paid_more, unpaid = build.user(), build.user(), build.user()
    build.wage(paid, "2024-05-01", 4500)  # starts after the work: its earliest row counts
    build.wage(paid_more, "2024-01-01", 9000)
    build.wage(paid_more, "2024-03-05", 99999, currency="USD")  # currency ignored, not in the TRY average
    build.fx("2024-04-01", eur=1)  # the work is before the first snapshot
    build.fx("2024-04-02", rates={"USD": 0.03})  # no EUR on this day: its work is skipped
    build.part("P1")
    build.operation("P1-OP1", "P1")
    for worker in (paid, paid_more, unpaid):
        build.timer(worker, "P1-OP1", "2024-03-04 08:00", "2024-03-04 09:00")
        build.timer(worker, "P1-OP1", "2024-04-02 08:00", "2024-04-02 09:00")
    build.commit()
    users = expected_outcome(conn).users
    assert users[("P1", paid)]["cost_ww"] == "20.00"
    assert users[("P1", paid_more)]["cost_ww"] == "40.00"
    # no wage at all: the TRY average of 4500 and 9000 = 6750 a month, 30 an hour
    assert users[("P1", unpaid)]["cost_ww"] == "30.00"
    assert {row["hours_ww"] for row in users.values()} == {"1.00"}


def test_eur_rates_given_as_strings_or_null(conn, build):
    worker = build.user()
    build.wage(worker, "2024-01-01", 4500)
    build.fx("2024-03-04", rates={"EUR": "0.5"})  # a string holding a number: that number
    build.fx("2024-03-05", rates={"EUR": None})  # null: like a missing key, the day is skipped
    build.part("P1")
    build.operation("P1-OP1", "P1")
    build.timer(worker, "P1-OP1", "2024-03-04 09:00", "2024-03-04 10:00")
    build.timer(worker, "P1-OP1", "2024-03-05 09:00", "2024-03-05 10:00")
    build.commit()
    assert values_of(expected_outcome(conn).parts["P1"], "hours_ww", "cost_ww") == ("1.00", "10.00")


def test_a_rate_that_is_no_number_is_refused(conn, build):
    build.fx("2024-03-04", rates={"EUR": "n/a"})
    build.commit()
    with pytest.raises(ValueError, match="2024-03-04"):
        expected_outcome(conn)


def values_of(row: dict, *columns: str) -> tuple:
    return tuple(row[column] for column in columns)


def test_without_try_wages_the_fallback_is_one_a_month(conn, build):
    worker = build.user()
    build.fx("2024-03-01", eur=225)
    build.part("P1")
    build.operation("P1-OP1", "P1")
    build.timer(worker, "P1-OP1", "2024-03-04 17:00", "2024-03-04 18:00")  # 1 h after hours
    build.commit()
    assert expected_outcome(conn).users[("P1", worker)]["cost_ah"] == "1.50"  # 1/225 × 1.5 × 225


def test_rows_exist_only_where_the_rules_say(conn, build):
    worker = build.user()
    build.wage(worker, "2024-01-01", 4500)
    build.fx("2024-03-01", eur=0)
    for key in ("ZERO", "SKIPPED", "RUNNING", "NO-TIMERS"):
        build.part(key)
        build.operation(f"{key}-OP", key)
    build.task("T1")
    build.timer(worker, "ZERO-OP", "2024-03-04 09:00", "2024-03-04 08:00")
    build.timer(worker, "SKIPPED-OP", "2024-03-04 09:00", "2024-03-04 10:00")  # FX 0
    build.timer(worker, "RUNNING-OP", "2024-03-04 09:00", None)
    build.timer(worker, "T1", "2024-03-04 09:00", "2024-03-04 10:00", on="task")
    build.commit()
    outcome = expected_outcome(conn)
    assert set(outcome.parts) == {"ZERO", "SKIPPED"}
    assert {row["total_cost"] for row in outcome.parts.values()} == {"0.00"}
    assert outcome.users == {}
