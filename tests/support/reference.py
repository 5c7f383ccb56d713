"""An independent, deliberately slow reference for ``partcost recompute``.

Written line by line from docs/costing-rules.md and nothing else (it shares no code with the engine),
so that the engine can be judged against it. Everything is exact: epoch milliseconds stay integers,
every quantity is a ``fractions.Fraction``, and only the final values are rounded half up to cents.
It reads the database row by row with plain SQL; speed is not its job.

Decisions where the rules leave room (each is marked DECISION below):
- the fallback wage when there are no TRY wages at all is base_monthly 1.0, after-hours 1.5,
  Sunday 2.0 — the rules list three values for the three averaged columns, so base_monthly is 1.0
  (an hourly rate of 1/225 TRY), odd as it is;
- a "costed segment" is one that was priced and counted, i.e. not skipped for an FX rate of 0; its
  cost may still be 0 (a wage of 0) and the user still gets a row;
- the rules call the EUR rate "a JSON number"; a JSON null counts as missing (0) and a JSON string
  holding a decimal number counts as that number, as the service's Python (``Decimal(str(value))``)
  takes them; anything else (text, true, a list) is refused with ValueError rather than guessed;
- "half up" rounds ties away from zero (PostgreSQL's round() and Decimal's ROUND_HALF_UP); only
  matters for negative amounts, which ordinary data never has;
- a work-window edge that does not exist or is ambiguous on a DST switch day takes zoneinfo's
  ``fold=0`` reading (never the case for 07:30/17:00 in Europe);
- a timer that runs forward with an end before 0001-01-02 or from 9999-12-30 on (UTC) cannot be
  put on the calendar (its local day, or the day after, is outside the years 1-9999 in some zone):
  its part fails and keeps its rows; so does a part whose rows the tables cannot hold (a value
  beyond numeric(12, 2) hours or numeric(16, 2) costs, a job_no over 100 characters, a user not in
  auth_user);
- inputs that cannot be priced at all are refused (``Refused``) before any row is computed: a
  NaN or negative wage, a negative or non-numeric EUR rate, a wage or snapshot date outside the
  years 1-9999 (PostgreSQL also holds 'infinity', BC and later years).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple
from zoneinfo import ZoneInfo

BUCKETS = ("ww", "ah", "su")
VALUE_COLUMNS = ("hours_ww", "hours_ah", "hours_su", "cost_ww", "cost_ah", "cost_su", "total_cost")
HOURS_PER_MONTH = 225
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_MS = timedelta(milliseconds=1)
CALENDAR_FIRST_MS = (datetime(1, 1, 2, tzinfo=timezone.utc) - EPOCH) // ONE_MS
CALENDAR_END_MS = (datetime(9999, 12, 30, tzinfo=timezone.utc) - EPOCH) // ONE_MS
HOURS_LIMIT, COST_LIMIT = Decimal(10) ** 10, Decimal(10) ** 14  # numeric(12, 2), numeric(16, 2)
JOB_NO_LIMIT = 100


class Refused(ValueError):
    """The inputs cannot be priced at all: partcost must refuse them before writing anything."""


class OffTheCalendar(ValueError):
    """A timer that cannot be split: its part fails."""


@dataclass(frozen=True)
class Options:
    """The business time zone and the daily work window (the rules' defaults)."""

    timezone: str = "Europe/Istanbul"
    work_start: time = time(7, 30)
    work_end: time = time(17, 0)

    def cli_args(self) -> list[str]:
        """The same options as ``partcost recompute`` flags."""
        window = f"{self.work_start:%H:%M}-{self.work_end:%H:%M}"
        return ["--timezone", self.timezone, "--work-window", window]


class Segment(NamedTuple):
    day: date
    bucket: str  # "ww", "ah" or "su"
    seconds: int


class Tables(NamedTuple):
    """Cost rows as {part_id: row} and {(part_id, user_id): row}; a row maps job_no_cached, currency
    and every value column (a 2-decimal string such as '0.01') to its value. No ids, no updated_at.
    ``failed``: the parts that must fail (they have no rows here: theirs stay as they were)."""

    parts: dict[str, dict]
    users: dict[tuple[str, int], dict]
    failed: frozenset[str] = frozenset()


# -- splitting a timer into day segments ----------------------------------------------------------


def epoch_ms(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_MS


def local_ms(day: date, clock: time, zone: ZoneInfo) -> int:
    """Epoch milliseconds of a local wall-clock time on ``day``."""
    return epoch_ms(datetime.combine(day, clock, tzinfo=zone))


def local_date(ms: int, zone: ZoneInfo) -> date:
    return (EPOCH + ms * ONE_MS).astimezone(zone).date()


def whole_seconds(ms: int) -> int:
    """A span's length in seconds, fractions of a second dropped."""
    return max(ms, 0) // 1000


def on_the_calendar(ms: int) -> bool:
    return CALENDAR_FIRST_MS <= ms < CALENDAR_END_MS


def split_timer(start_ms: int, finish_ms: int, options: Options = Options()) -> list[Segment]:
    """The rules' steps 1–6: one segment per non-zero bucket per local calendar day."""
    if finish_ms <= start_ms:
        return []
    if not (on_the_calendar(start_ms) and on_the_calendar(finish_ms)):  # DECISION
        raise OffTheCalendar(f"a timer from {start_ms} to {finish_ms} ms is not on the calendar")
    zone = ZoneInfo(options.timezone)
    day, last = local_date(start_ms, zone), local_date(finish_ms, zone)
    segments = []
    while day <= last:
        segments += split_day(day, start_ms, finish_ms, zone, options)
        day += timedelta(days=1)
    return segments


def split_day(day: date, start_ms: int, finish_ms: int, zone: ZoneInfo, options: Options) -> list[Segment]:
    # Differences of real instants: on a DST switch day the span is 23 or 25 hours long.
    begin = max(start_ms, local_ms(day, time(0), zone))
    end = min(finish_ms, local_ms(day + timedelta(days=1), time(0), zone))
    seconds = whole_seconds(end - begin)
    if seconds == 0:
        return []
    if day.weekday() == 6:
        return [Segment(day, "su", seconds)]
    window_begin = max(begin, local_ms(day, options.work_start, zone))
    window_end = min(end, local_ms(day, options.work_end, zone))
    ww = whole_seconds(window_end - window_begin)
    return [Segment(day, bucket, s) for bucket, s in (("ww", ww), ("ah", seconds - ww)) if s]


# -- pricing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wage:
    base_monthly: Fraction
    after_hours_multiplier: Fraction
    sunday_multiplier: Fraction

    @property
    def hourly(self) -> Fraction:
        return self.base_monthly / HOURS_PER_MONTH

    def multiplier(self, bucket: str) -> Fraction:
        return {"ww": Fraction(1), "ah": self.after_hours_multiplier, "su": self.sunday_multiplier}[bucket]


# DECISION: "1.0 / 1.5 / 2.0 if there are none" gives all three columns, base_monthly included.
NO_TRY_WAGES = Wage(Fraction(1), Fraction(3, 2), Fraction(2))


@dataclass
class Prices:
    """Every wage version, the fallback wage and every FX snapshot, with the rules' as-of lookups."""

    wages: dict[int, list[tuple[date, Wage]]]  # per user, sorted by effective_from
    fallback: Wage
    fx: list[tuple[date, Fraction]]  # sorted by date

    def wage_on(self, user_id: int, day: date) -> Wage:
        versions = self.wages.get(user_id)
        if not versions:
            return self.fallback
        started = [wage for effective_from, wage in versions if effective_from <= day]
        return started[-1] if started else versions[0][1]

    def fx_on(self, day: date) -> Fraction:
        if not self.fx:
            return Fraction(0)
        known = [rate for snapshot_date, rate in self.fx if snapshot_date <= day]
        return known[-1] if known else self.fx[0][1]


def exact(value) -> Fraction:
    """A PostgreSQL numeric (as Decimal or as text) as an exact fraction."""
    return Fraction(Decimal(value))


def refuse_dates_off_the_calendar(cur) -> None:
    """DECISION: 'infinity', BC dates and years past 9999 are refused."""
    for table, column in (("users_wagerate", "effective_from"), ("core_currencyratesnapshot", "date")):
        cur.execute(
            f"SELECT {column}::text FROM {table} WHERE {column} NOT BETWEEN '0001-01-01' AND '9999-12-31'"
        )
        outside = cur.fetchone()
        if outside:
            raise Refused(f"{table}.{column} {outside[0]} is outside the years 1-9999")


def priceable_wage(user_id: int, values) -> Wage:
    """DECISION: a NaN or negative wage is refused."""
    if not all(value.is_finite() and value >= 0 for value in values):
        raise Refused(f"user {user_id}'s wage {values} is NaN or negative")
    return Wage(*map(exact, values))


def load_prices(cur) -> Prices:
    refuse_dates_off_the_calendar(cur)
    cur.execute(
        "SELECT user_id, effective_from, base_monthly, after_hours_multiplier, sunday_multiplier"
        " FROM users_wagerate ORDER BY user_id, effective_from"
    )
    wages: dict[int, list[tuple[date, Wage]]] = {}
    for user_id, effective_from, *values in cur.fetchall():
        wages.setdefault(user_id, []).append((effective_from, priceable_wage(user_id, values)))
    # PostgreSQL's avg() is itself rounded (to many digits): take its value, not the exact mean.
    cur.execute(
        "SELECT avg(base_monthly)::text, avg(after_hours_multiplier)::text,"
        " avg(sunday_multiplier)::text FROM users_wagerate WHERE currency = 'TRY'"
    )
    averages = cur.fetchone()
    fallback = NO_TRY_WAGES if averages[0] is None else Wage(*map(exact, averages))
    cur.execute(
        "SELECT date, jsonb_typeof(rates -> 'EUR'), rates ->> 'EUR'"
        " FROM core_currencyratesnapshot ORDER BY date"
    )
    fx = [
        (snapshot_date, eur_rate(snapshot_date, kind, text)) for snapshot_date, kind, text in cur.fetchall()
    ]
    return Prices(wages, fallback, fx)


def eur_rate(snapshot_date: date, json_type: str | None, text: str | None) -> Fraction:
    """``rates->'EUR'`` exactly as written in the JSON; a missing key is 0."""
    if json_type in (None, "null"):  # DECISION: null is as good as missing
        return Fraction(0)
    value = None
    if json_type in ("number", "string"):  # DECISION: "0.0254" as a string is the number
        try:
            value = Decimal(text)
        except ArithmeticError:  # not a decimal number
            pass
    if value is None or not value.is_finite():
        raise Refused(f"snapshot {snapshot_date}: EUR rate {text!r} is not a number")
    if value < 0:  # DECISION: refused, like a non-number
        raise Refused(f"snapshot {snapshot_date}: EUR rate {text!r} is negative")
    return Fraction(value)


# -- summing and rounding -----------------------------------------------------------------------


def round_half_up(value: Fraction) -> str:
    """The exact value rounded half up (ties away from zero) to 2 decimals, as '12.35'."""
    cents = math.floor(abs(value) * 100 + Fraction(1, 2))
    return str(Decimal(cents if value >= 0 else -cents).scaleb(-2))


def zero_sums() -> dict[str, Fraction]:
    return {column: Fraction(0) for column in VALUE_COLUMNS if column != "total_cost"}


def stored_row(job_no: str, sums: dict[str, Fraction]) -> dict:
    row = {"job_no_cached": job_no, "currency": "EUR"}
    row.update((column, round_half_up(value)) for column, value in sums.items())
    row["total_cost"] = round_half_up(sum(sums[f"cost_{bucket}"] for bucket in BUCKETS))
    return row


def finished_operation_timers(cur) -> list[tuple]:
    """(part_id, job_no, user_id, start_time, finish_time) of every timer that counts."""
    cur.execute("SELECT id FROM django_content_type WHERE app_label = 'tasks' AND model = 'operation'")
    operation_type = cur.fetchone()[0]
    cur.execute(
        "SELECT p.key, p.job_no, t.user_id, t.start_time, t.finish_time"
        " FROM tasks_timer t"
        " JOIN tasks_operation o ON o.key = t.object_id"
        " JOIN tasks_part p ON p.key = o.part_id"
        " WHERE t.content_type_id = %s AND t.finish_time IS NOT NULL",
        (operation_type,),
    )
    return cur.fetchall()


def user_ids(cur) -> set:
    cur.execute("SELECT id FROM auth_user")
    return {user_id for (user_id,) in cur.fetchall()}


def expected_outcome(conn, options: Options = Options()) -> Tables:
    """What tasks_partcostagg and tasks_partcostaguser must hold after a full recompute."""
    with conn.cursor() as cur:
        prices = load_prices(cur)
        timers = finished_operation_timers(cur)
        known_users = user_ids(cur)
    conn.rollback()
    job_nos = {part_id: job_no or "" for part_id, job_no, *_ in timers}
    failed = {part_id for part_id, job_no in job_nos.items() if len(job_no) > JOB_NO_LIMIT}
    per_user: dict[tuple[str, int], dict[str, Fraction]] = {}
    for part_id, _, user_id, start_ms, finish_ms in timers:
        try:
            segments = split_timer(start_ms, finish_ms, options)
        except OffTheCalendar:
            failed.add(part_id)
            continue
        for segment in segments:
            fx = prices.fx_on(segment.day)
            if fx == 0:
                continue  # skipped entirely: neither hours nor cost
            if user_id not in known_users:
                failed.add(part_id)
            wage = prices.wage_on(user_id, segment.day)
            hours = Fraction(segment.seconds, 3600)
            # DECISION: any counted segment makes the user "costed", even at a cost of 0.
            sums = per_user.setdefault((part_id, user_id), zero_sums())
            sums[f"hours_{segment.bucket}"] += hours
            sums[f"cost_{segment.bucket}"] += hours * wage.hourly * wage.multiplier(segment.bucket) * fx
    per_part = {part_id: zero_sums() for part_id in job_nos}
    for (part_id, _), sums in per_user.items():
        for column, value in sums.items():
            per_part[part_id][column] += value
    parts = {part_id: stored_row(job_nos[part_id], sums) for part_id, sums in per_part.items()}
    users = {key: stored_row(job_nos[key[0]], sums) for key, sums in per_user.items()}
    failed |= {part_id for part_id, row in parts.items() if not fits_the_columns(row)}
    failed |= {part_id for (part_id, _), row in users.items() if not fits_the_columns(row)}
    return Tables(
        parts={part_id: row for part_id, row in parts.items() if part_id not in failed},
        users={key: row for key, row in users.items() if key[0] not in failed},
        failed=frozenset(failed),
    )


def fits_the_columns(row: dict) -> bool:
    return all(
        abs(Decimal(row[column])) < (HOURS_LIMIT if column.startswith("hours") else COST_LIMIT)
        for column in VALUE_COLUMNS
    )


# -- the tables as they are ---------------------------------------------------------------------


def actual_outcome(conn) -> Tables:
    """The two cost tables as they are, in the same shape as ``expected_outcome``."""
    columns = ", ".join(("job_no_cached", "currency") + VALUE_COLUMNS)
    with conn.cursor() as cur:
        cur.execute(f"SELECT part_id, {columns} FROM tasks_partcostagg")
        parts = {part_id: as_row(values) for part_id, *values in cur.fetchall()}
        cur.execute(f"SELECT part_id, user_id, {columns} FROM tasks_partcostaguser")
        users = {(part_id, user_id): as_row(values) for part_id, user_id, *values in cur.fetchall()}
    conn.rollback()
    return Tables(parts, users)


def as_row(values) -> dict:
    job_no, currency, *amounts = values
    return {
        "job_no_cached": job_no,
        "currency": currency,
        **{column: str(amount) for column, amount in zip(VALUE_COLUMNS, amounts)},
    }
