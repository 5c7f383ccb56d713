"""Split timers into local-day segments: seconds inside the work window (``ww``), after hours
(``ah``) and on Sundays (``su``), exactly as costing-rules.md says.

Everything per timer is vectorized (numpy searchsorted, polars explode); Python only loops over the
calendar days the timers touch, because time-zone rules (DST, historical offsets) are applied with
``zoneinfo`` there, once per day rather than once per timer."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from partcost.errors import PartcostError

DEFAULT_TIMEZONE = "Europe/Istanbul"
DEFAULT_WORK_WINDOW = "07:30-17:00"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The instants a timer may start or finish at, end exclusive: the years 1-9999 Python's calendar
# holds, less a day at the start and two at the end, so that in every time zone (offsets stay within
# a day) each end's local date and the day after it exist.
FIRST_INSTANT = datetime(1, 1, 2, tzinfo=timezone.utc)
END_INSTANT = datetime(9999, 12, 30, tzinfo=timezone.utc)
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

SEGMENT_SCHEMA = pl.Schema(
    {"p": pl.UInt32, "user_id": pl.Int64, "d": pl.Date, "ww": pl.Int64, "ah": pl.Int64, "su": pl.Int64}
)


@dataclass(frozen=True)
class WorkCalendar:
    """The business time zone and the daily work window (local wall-clock times)."""

    timezone: str = DEFAULT_TIMEZONE
    window_start: time = time(7, 30)
    window_end: time = time(17, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def parse(
        cls, timezone_name: str = DEFAULT_TIMEZONE, work_window: str = DEFAULT_WORK_WINDOW
    ) -> "WorkCalendar":
        """Validate user input: an IANA zone name and a window such as ``07:30-17:00``."""
        try:
            ZoneInfo(timezone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise PartcostError(
                f"unknown time zone {timezone_name!r} (use an IANA name such as Europe/Istanbul)"
            ) from None
        match = _WINDOW.match(work_window or "")
        if not match:
            raise PartcostError(
                f"malformed work window {work_window!r}: expected HH:MM-HH:MM, e.g. 07:30-17:00"
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if max(h1, h2) > 23 or max(m1, m2) > 59:
            raise PartcostError(f"malformed work window {work_window!r}: hours 00-23, minutes 00-59")
        if (h2, m2) <= (h1, m1):
            raise PartcostError(f"malformed work window {work_window!r}: the end must be after the start")
        return cls(timezone_name, time(h1, m1), time(h2, m2))

    def instant_ms(self, day: date, at: time) -> int:
        """Epoch milliseconds of a local wall-clock time (a time skipped by DST maps to the switch)."""
        local = datetime.combine(day, at, tzinfo=self.zone)
        return (local.astimezone(timezone.utc) - _EPOCH) // timedelta(milliseconds=1)

    def local_date(self, epoch_ms: int) -> date:
        return (_EPOCH + timedelta(milliseconds=int(epoch_ms))).astimezone(self.zone).date()

    def days(self, first: date, last: date) -> pl.DataFrame:
        """One row per local day from ``first`` to ``last`` plus the day after (for its end):
        day start, work window start/end (epoch ms) and whether it is a Sunday."""
        dates = [first + timedelta(days=i) for i in range((last - first).days + 2)]
        return pl.DataFrame(
            {
                "d": dates,
                "day_start": [self.instant_ms(d, time(0)) for d in dates],
                "window_start": [self.instant_ms(d, self.window_start) for d in dates],
                "window_end": [self.instant_ms(d, self.window_end) for d in dates],
                "sunday": [d.isoweekday() == 7 for d in dates],
            },
            schema={
                "d": pl.Date,
                "day_start": pl.Int64,
                "window_start": pl.Int64,
                "window_end": pl.Int64,
                "sunday": pl.Boolean,
            },
        )


def _epoch_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def unsplittable_timers(timers: pl.DataFrame) -> pl.DataFrame:
    """The timers the calendar cannot split — they run forward but an end lies outside
    FIRST_INSTANT..END_INSTANT (a value stored in microseconds, a garbage int64) — as (p, reason),
    one row per part naming its first such timer. A timer with finish <= start contributes nothing
    whatever its values, as the rules say, so it is not among them."""
    first, end = _epoch_ms(FIRST_INSTANT), _epoch_ms(END_INSTANT)
    start_outside = (pl.col("start_ms") < first) | (pl.col("start_ms") >= end)
    finish_outside = (pl.col("finish_ms") < first) | (pl.col("finish_ms") >= end)
    why = (
        pl.when(start_outside)
        .then(pl.format("start_time {}", "start_ms"))
        .otherwise(pl.format("finish_time {}", "finish_ms"))
    )
    return (
        timers.filter(pl.col("finish_ms") > pl.col("start_ms"), start_outside | finish_outside)
        .sort("timer_id")
        .group_by("p", maintain_order=True)
        .agg(
            pl.format(
                f"timer {{}}'s {{}} is outside {FIRST_INSTANT.date()} to {END_INSTANT.date()} UTC, "
                "the instants the calendar can split",
                pl.col("timer_id"),
                why,
            )
            .first()
            .alias("reason"),
            (pl.len() - 1).alias("others"),
        )
        .select(
            "p",
            reason=pl.when(pl.col("others") > 0)
            .then(pl.format("{} (and {} more such timer(s))", "reason", "others"))
            .otherwise("reason"),
        )
    )


def split_timers(timers: pl.DataFrame, calendar: WorkCalendar) -> pl.DataFrame:
    """Timers (p, user_id, start_ms, finish_ms) → day segments (p, user_id, d, ww, ah, su) in whole
    seconds, summed per (part, user, day); rows with no seconds at all are dropped. ``p`` is the
    part's integer code (see worker.compute_costs)."""
    running = timers.filter(pl.col("finish_ms") > pl.col("start_ms"))
    if running.height == 0:
        return pl.DataFrame(schema=SEGMENT_SCHEMA)
    start, finish = running["start_ms"].to_numpy(), running["finish_ms"].to_numpy()
    days = calendar.days(calendar.local_date(start.min()), calendar.local_date(finish.max()))
    timer, day = _one_row_per_day(days["day_start"].to_numpy(), start, finish)
    ww, ah, su = _seconds_by_bucket(days, day, start[timer], finish[timer])
    return (
        pl.DataFrame(
            {
                "p": running["p"].to_numpy()[timer],
                "user_id": running["user_id"].to_numpy()[timer],
                "d": days["d"].gather(day),
                "ww": ww,
                "ah": ah,
                "su": su,
            }
        )
        .filter((pl.col("ww") + pl.col("ah") + pl.col("su")) > 0)
        .group_by("p", "user_id", "d")
        .agg(pl.col("ww").sum(), pl.col("ah").sum(), pl.col("su").sum())
        .cast(SEGMENT_SCHEMA)
    )


def _one_row_per_day(day_start: np.ndarray, start: np.ndarray, finish: np.ndarray) -> tuple:
    """(timer index, day index) for every local day each timer touches."""
    first = np.searchsorted(day_start, start, side="right") - 1
    count = np.searchsorted(day_start, finish, side="right") - first
    timer = np.repeat(np.arange(len(start)), count)
    offset = np.arange(len(timer)) - np.repeat(np.cumsum(count) - count, count)
    return timer, first[timer] + offset


def _seconds_by_bucket(days: pl.DataFrame, day: np.ndarray, start: np.ndarray, finish: np.ndarray) -> tuple:
    """Whole seconds of each (timer, day) span (truncated), and of those the seconds inside the work
    window (truncated on their own); Sundays put everything in ``su``."""
    day_start = days["day_start"].to_numpy()
    span_start = np.maximum(start, day_start[day])
    span_end = np.minimum(finish, day_start[day + 1])
    seconds = (span_end - span_start) // 1000
    in_window = (
        np.clip(
            np.minimum(span_end, days["window_end"].to_numpy()[day])
            - np.maximum(span_start, days["window_start"].to_numpy()[day]),
            0,
            None,
        )
        // 1000
    )
    sunday = days["sunday"].to_numpy()[day]
    return (
        np.where(sunday, 0, in_window),
        np.where(sunday, 0, seconds - in_window),
        np.where(sunday, seconds, 0),
    )
