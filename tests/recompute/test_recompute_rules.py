"""``partcost recompute`` on small hand-made databases, one rule at a time.

Every test compares both cost tables with the independent reference (tests/reference.py) and, for the
rules that are easy to get wrong, with values worked out by hand. Unless a test says otherwise the
worker earns 4500 TRY a month (20 an hour; after hours ×1.5, Sunday ×2) and 1 TRY is 1 EUR.
2024-03-04 is a Monday, 2024-03-09 a Saturday, 2024-03-10 a Sunday."""

import pytest

from tests.support.recompute_runs import engine_matches_reference, stale_cost_rows

ZERO = {
    "hours_ww": "0.00",
    "hours_ah": "0.00",
    "hours_su": "0.00",
    "cost_ww": "0.00",
    "cost_ah": "0.00",
    "cost_su": "0.00",
    "total_cost": "0.00",
}


@pytest.fixture
def worker(build):
    user = build.user()
    build.wage(user, "2024-01-01", 4500, after_hours="1.5", sunday="2.0")
    build.fx("2024-01-01", eur=1)
    return user


def one_operation_part(build, key: str = "P1", job_no: str = "J-1") -> str:
    build.part(key, job_no=job_no)
    return build.operation(f"{key}-OP1", key)


def values(row: dict, *columns: str) -> tuple:
    return tuple(row[column] for column in columns)


def test_an_18_second_total_is_a_hundredth_of_an_hour(dsn, build, worker):
    other = build.user()
    build.wage(other, "2024-01-01", 4500)
    operation = one_operation_part(build)
    build.timer(worker, operation, "2024-03-04 09:00:00", "2024-03-04 09:00:09")
    build.timer(other, operation, "2024-03-04 10:00:00", "2024-03-04 10:00:09")
    build.commit()
    tables = engine_matches_reference(dsn)
    # each worker has 9 s (0.0025 h → 0.00); the part has the exact 18 s (0.005 h → 0.01)
    assert values(tables.users[("P1", worker)], "hours_ww", "cost_ww") == ("0.00", "0.05")
    assert values(tables.parts["P1"], "hours_ww", "cost_ww", "total_cost") == ("0.01", "0.10", "0.10")


def test_cost_ties_round_half_up_and_the_total_is_rounded_once(dsn, build, worker):
    build.fx("2024-03-01", eur=0.3)  # 20 TRY an hour is now 6 EUR, 1/600 EUR a second
    build.timer(worker, one_operation_part(build, "A"), "2024-03-04 09:00:00", "2024-03-04 09:00:09")
    build.timer(worker, one_operation_part(build, "B"), "2024-03-04 07:29:59", "2024-03-04 07:30:02")
    build.commit()
    parts = engine_matches_reference(dsn).parts
    # 9 s × 1/600 = 0.015 exactly (binary floating point makes it 0.01499…)
    assert values(parts["A"], "cost_ww", "total_cost") == ("0.02", "0.02")
    # 2 s ww = 0.00333… and 1 s ah = 0.0025 both round to 0.00, yet their sum 0.00583… is 0.01
    assert values(parts["B"], "cost_ww", "cost_ah", "total_cost") == ("0.00", "0.00", "0.01")


def test_spans_ending_exactly_at_0730_1700_and_midnight(dsn, build, worker):
    operation = one_operation_part(build)
    build.timer(worker, operation, "2024-03-04 06:30", "2024-03-04 07:30")  # 1 h ah
    build.timer(worker, operation, "2024-03-04 16:00", "2024-03-04 17:00")  # 1 h ww
    build.timer(worker, operation, "2024-03-04 22:00", "2024-03-05 00:00")  # 2 h ah, nothing on Tuesday
    build.commit()
    part = engine_matches_reference(dsn).parts["P1"]
    assert values(part, "hours_ww", "hours_ah", "cost_ww", "cost_ah") == ("1.00", "3.00", "20.00", "90.00")


def test_a_timer_over_two_midnights(dsn, build, worker):
    operation = one_operation_part(build)
    build.timer(worker, operation, "2024-03-04 16:00", "2024-03-06 08:00")
    build.commit()
    part = engine_matches_reference(dsn).parts["P1"]
    # Mon 1 ww + 7 ah, Tue 9.5 ww + 14.5 ah, Wed 0.5 ww + 7.5 ah
    assert values(part, "hours_ww", "hours_ah", "hours_su") == ("11.00", "29.00", "0.00")
    assert part["total_cost"] == "1090.00"  # 11 × 20 + 29 × 30


def test_saturday_is_a_weekday_and_sunday_is_all_sunday(dsn, build, worker):
    operation = one_operation_part(build)
    build.timer(worker, operation, "2024-03-09 07:00", "2024-03-10 01:00")
    build.commit()
    part = engine_matches_reference(dsn).parts["P1"]
    assert values(part, "hours_ww", "hours_ah", "hours_su") == ("9.50", "7.50", "1.00")
    assert values(part, "cost_ww", "cost_ah", "cost_su") == ("190.00", "225.00", "40.00")


def test_reversed_and_zero_length_timers_leave_an_all_zero_part_row_and_no_user_row(dsn, build, worker):
    operation = one_operation_part(build)
    build.timer(worker, operation, "2024-03-04 10:00", "2024-03-04 09:00")
    build.timer(worker, operation, "2024-03-04 10:00", "2024-03-04 10:00")
    build.timer(worker, operation, "2024-03-04 10:00:00.000", "2024-03-04 10:00:00.999")
    build.commit()
    tables = engine_matches_reference(dsn)
    assert tables.parts == {"P1": {"job_no_cached": "J-1", "currency": "EUR", **ZERO}}
    assert tables.users == {}


def test_fractions_of_a_second_are_dropped_per_span(dsn, build, worker):
    operation = one_operation_part(build)
    # 0.9 s on Monday (→ 0 s) and 17.95 s on Tuesday (→ 17 s): 17 s is 0.0047 h → 0.00.
    # Adding the fractions up first would give 18 s or more, and 0.01.
    build.timer(worker, operation, "2024-03-04 23:59:59.100", "2024-03-05 00:00:17.950")
    build.commit()
    tables = engine_matches_reference(dsn)
    assert values(tables.parts["P1"], "hours_ah", "cost_ah") == ("0.00", "0.14")  # 17/3600 × 30
    assert ("P1", worker) in tables.users


def test_a_day_without_an_eur_rate_is_skipped_hours_and_all(dsn, build, worker):
    build.fx("2024-03-05", rates={"USD": 0.03})
    build.fx("2024-03-06", eur=0.5)
    operation = one_operation_part(build)
    for day in ("2024-03-04", "2024-03-05", "2024-03-06"):
        build.timer(worker, operation, f"{day} 09:00", f"{day} 10:00")
    build.commit()
    part = engine_matches_reference(dsn).parts["P1"]
    assert values(part, "hours_ww", "cost_ww") == ("2.00", "30.00")  # 20 × 1 + 20 × 0.5


def test_no_fx_at_all_skips_everything(dsn, build):
    user = build.user()
    build.wage(user, "2024-01-01", 4500)
    operation = one_operation_part(build)
    build.timer(user, operation, "2024-03-04 09:00", "2024-03-04 10:00")
    build.commit()
    tables = engine_matches_reference(dsn)
    assert tables.parts["P1"] == {"job_no_cached": "J-1", "currency": "EUR", **ZERO}
    assert tables.users == {}


def test_work_before_the_first_fx_snapshot_and_before_the_first_wage(dsn, build):
    user = build.user()
    build.wage(user, "2024-06-01", 9000)  # earliest row: 40 an hour
    build.wage(user, "2024-07-01", 90000)
    build.fx("2024-06-01", eur=0.25)  # earliest snapshot
    build.fx("2024-07-01", eur=100)
    operation = one_operation_part(build)
    build.timer(user, operation, "2024-03-04 09:00", "2024-03-04 10:00")
    build.commit()
    assert engine_matches_reference(dsn).parts["P1"]["cost_ww"] == "10.00"  # 40 × 0.25


def test_a_worker_without_wage_gets_the_try_average(dsn, build):
    paid, paid_more, unpaid = build.user(), build.user(), build.user()
    build.wage(paid, "2024-01-01", 4500)
    build.wage(paid_more, "2024-01-01", 9000, after_hours=2, sunday=3)
    build.wage(paid_more, "2024-02-01", 1, currency="USD")  # not in the average; still its own wage
    build.fx("2024-01-01", eur=1)
    operation = one_operation_part(build)
    build.timer(unpaid, operation, "2024-03-04 17:00", "2024-03-04 18:00")
    build.commit()
    # 6750 a month → 30 an hour, after hours ×1.75
    assert engine_matches_reference(dsn).users[("P1", unpaid)]["cost_ah"] == "52.50"


def test_no_try_wages_at_all(dsn, build):
    user = build.user()
    build.wage(user, "2024-01-01", 4500, currency="EUR")  # a wage, but not TRY: only for its user
    unpaid = build.user()
    build.fx("2024-01-01", eur=225)
    operation = one_operation_part(build)
    build.timer(unpaid, operation, "2024-03-10 09:00", "2024-03-10 10:00")
    build.commit()
    # base_monthly 1.0 → 1/225 an hour, Sunday ×2, FX 225
    assert engine_matches_reference(dsn).users[("P1", unpaid)]["cost_su"] == "2.00"


def test_a_part_sums_all_its_operations(dsn, build, worker):
    build.part("P1", job_no="J-1")
    for n in (1, 2, 3):
        build.timer(worker, build.operation(f"P1-OP{n}", "P1"), "2024-03-04 09:00", "2024-03-04 09:20")
    build.commit()
    tables = engine_matches_reference(dsn)
    assert values(tables.parts["P1"], "hours_ww", "total_cost") == ("1.00", "20.00")


def test_stale_rows_are_removed_or_replaced(dsn, conn, build, worker):
    one_operation_part(build, "NO-TIMERS")
    build.part("NO-OPERATIONS")
    one_operation_part(build, "TIMED")
    build.timer(worker, "TIMED-OP1", "2024-03-04 09:00", "2024-03-04 10:00")
    build.commit()
    for part in ("NO-TIMERS", "NO-OPERATIONS", "TIMED"):
        stale_cost_rows(conn, part, worker)
    tables = engine_matches_reference(dsn)
    assert set(tables.parts) == {"TIMED"}
    assert tables.parts["TIMED"]["total_cost"] == "20.00"


AWKWARD_KEYS = [
    'O\'Brien "quoted"',
    "tab\there",
    "new\nline",
    "back\\slash",
    "comma, space",
    "Çelik Şaft Ğ-ÖÜİ",
    "  padded  ",
    "\\N",
    "",
]


def test_awkward_keys(dsn, build, worker):
    for n, key in enumerate(AWKWARD_KEYS):
        build.part(key, job_no=key[:100])
        build.timer(worker, build.operation(f"{key}/op", key), "2024-03-04 09:00", f"2024-03-04 09:0{n + 1}")
    build.commit()
    tables = engine_matches_reference(dsn)
    assert set(tables.parts) == set(AWKWARD_KEYS)
    assert tables.parts["Çelik Şaft Ğ-ÖÜİ"]["job_no_cached"] == "Çelik Şaft Ğ-ÖÜİ"


def test_a_part_without_job_no_caches_an_empty_string(dsn, build, worker):
    operation = one_operation_part(build, job_no=None)
    build.timer(worker, operation, "2024-03-04 09:00", "2024-03-04 10:00")
    build.commit()
    tables = engine_matches_reference(dsn)
    assert tables.parts["P1"]["job_no_cached"] == ""
    assert tables.users[("P1", worker)]["job_no_cached"] == ""


def test_only_finished_timers_on_operations_count(dsn, build, worker):
    operation = one_operation_part(build)
    build.task(operation)  # a machining task with the same key as the operation
    build.timer(worker, operation, "2024-03-04 09:00", "2024-03-04 10:00")
    build.timer(worker, operation, "2024-03-04 11:00", "2024-03-04 12:00", on="task")
    build.timer(worker, operation, "2024-03-04 13:00", None)
    build.commit()
    assert engine_matches_reference(dsn).parts["P1"]["hours_ww"] == "1.00"
