"""Price day segments: which wage version and which FX snapshot apply to each (user, day).

Rates are kept as exact integers over one common denominator, so the aggregate stage can sum costs
exactly: for wage version ``w`` and bucket ``x``, ``rate_numerators[x][w] / wage_denominator`` is the
TRY cost of one second; for snapshot ``f``, ``fx_numerators[f] / fx_denominator`` is EUR per TRY."""

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import polars as pl

from partcost.errors import PartcostError

BUCKETS = ("ww", "ah", "su")
HOURLY_DIVISOR = 225  # hourly rate = base_monthly / 225
SECONDS_PER_HOUR = 3600
# With no TRY wage rows at all, the fallback's base_monthly / after_hours / sunday are 1.0 / 1.5 / 2.0,
# read in order as costing-rules.md lists them (an odd-looking rule is still the rule).
NO_TRY_WAGES_FALLBACK = (Decimal("1.0"), Decimal("1.5"), Decimal("2.0"))
INT128_LIMIT = 2**126  # headroom below polars' Int128 maximum, which wraps silently
# Seconds × FX numerator is summed in Int128 (aggregate.py). A part the tables can hold has fewer than
# 3.6·10^13 seconds (hours numeric(12, 2)), so an FX numerator below this limit never wraps for it.
FX_NUMERATOR_LIMIT = INT128_LIMIT // 10**14
FX_DIGITS_LIMIT = 30  # decimal places or integer digits beyond which no EUR rate can be priced


@dataclass
class Prices:
    wages: pl.DataFrame  # user_id, effective_from, w — one row per wage version
    fallback_w: int  # the TRY-average wage for users without rows
    rate_numerators: dict  # bucket -> [int per w]
    wage_denominator: int
    fx: pl.DataFrame  # date, f, fx_numerator (Int128)
    fx_denominator: int

    @property
    def denominator(self) -> int:
        """The denominator of ``seconds × fx_numerator × rate_numerator``: cost in EUR."""
        return self.wage_denominator * self.fx_denominator


def build_prices(wage_rows: pl.DataFrame, fallback: tuple, fx_rows: pl.DataFrame) -> Prices:
    """``wage_rows``: user_id, effective_from, base_monthly, after_hours_multiplier, sunday_multiplier
    (numeric as text); ``fallback``: PostgreSQL's avg() of those three over TRY rows as text, or Nones;
    ``fx_rows``: date, eur_kind (jsonb_typeof), eur (text)."""
    wage_rows = wage_rows.sort("user_id", "effective_from")
    versions = list(
        zip(wage_rows["base_monthly"], wage_rows["after_hours_multiplier"], wage_rows["sunday_multiplier"])
    )
    _refuse_unpriceable_wages(wage_rows)
    versions.append(_fallback_wage(fallback))
    per_second = [_per_second_rates(*map(Decimal, version)) for version in versions]
    wage_denominator = math.lcm(*(rate.denominator for rates in per_second for rate in rates))
    rate_numerators = {
        bucket: [int(rates[i] * wage_denominator) for rates in per_second] for i, bucket in enumerate(BUCKETS)
    }
    fx_values = [_eur_rate(day, kind, text) for day, kind, text in fx_rows.iter_rows()]
    fx_denominator = math.lcm(1, *(value.denominator for value in fx_values))
    fx_numerators = [int(value * fx_denominator) for value in fx_values]
    if fx_numerators and max(fx_numerators) >= FX_NUMERATOR_LIMIT:
        _refuse_fx_digits_together(fx_rows, fx_values, fx_numerators)
    return Prices(
        wages=wage_rows.select("user_id", "effective_from").with_row_index("w").cast({"w": pl.Int64}),
        fallback_w=len(versions) - 1,
        rate_numerators=rate_numerators,
        wage_denominator=wage_denominator,
        fx=fx_rows.select("date").with_columns(
            f=pl.int_range(pl.len(), dtype=pl.Int64),
            fx_numerator=pl.Series(fx_numerators, dtype=pl.Int128),
        ),
        fx_denominator=fx_denominator,
    )


def _refuse_unpriceable_wages(wage_rows: pl.DataFrame) -> None:
    """NaN (which numeric columns allow) has no price, and a negative wage is no wage."""
    for user_id, effective_from, *values in wage_rows.iter_rows():
        numbers = [Decimal(value) for value in values]
        if not all(number.is_finite() for number in numbers):
            raise PartcostError(
                f"users_wagerate for user {user_id} from {effective_from} has a base_monthly "
                f"or multiplier that is not a number ({', '.join(values)}); fix that row"
            )
        if any(number < 0 for number in numbers):
            raise PartcostError(
                f"users_wagerate for user {user_id} from {effective_from} has a negative "
                f"base_monthly or multiplier ({', '.join(values)}); fix that row"
            )


def _fallback_wage(fallback: tuple) -> tuple:
    """PostgreSQL's avg() of the TRY wages, or NO_TRY_WAGES_FALLBACK when there are none."""
    return NO_TRY_WAGES_FALLBACK if fallback[0] is None else fallback


def _per_second_rates(base_monthly: Decimal, after_hours: Decimal, sunday: Decimal) -> tuple:
    per_second = Fraction(base_monthly) / (HOURLY_DIVISOR * SECONDS_PER_HOUR)
    return (per_second, per_second * Fraction(after_hours), per_second * Fraction(sunday))


def _eur_rate(day, kind, text) -> Fraction:
    """``rates->'EUR'`` of one snapshot: a JSON number (or numeric string); missing or null is 0."""
    if kind in (None, "null"):
        return Fraction(0)
    try:
        value = Decimal(text) if kind in ("number", "string") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise PartcostError(
            f"core_currencyratesnapshot for {day} has a non-numeric EUR rate {text!r}; "
            "fix or delete that row (a missing EUR key counts as 0)"
        )
    if value < 0:
        raise PartcostError(
            f"core_currencyratesnapshot for {day} has a negative EUR rate {text}; fix that row"
        )
    if value and not -FX_DIGITS_LIMIT <= value.adjusted() < FX_DIGITS_LIMIT:
        _refuse_fx_digits(day, text, f"more than {FX_DIGITS_LIMIT} digits before or after the point")
    return Fraction(value)


def _refuse_fx_digits(day, text: str, why: str) -> None:
    """A rate so long that prices over one denominator would not fit polars' Int128 (a string such
    as '1e999999999' would not even fit in memory as an exact fraction)."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    raise PartcostError(
        f"core_currencyratesnapshot for {day} has an EUR rate {shown} with too many digits "
        f"to price exactly ({why}); fix that row"
    )


def _refuse_fx_digits_together(fx_rows: pl.DataFrame, fx_values: list, fx_numerators: list) -> None:
    """Each rate alone fits, but over the common denominator the largest one does not: name it and
    the rate whose decimal places set that denominator."""
    rows = list(fx_rows.iter_rows())
    largest = max(range(len(rows)), key=fx_numerators.__getitem__)
    longest = max(range(len(rows)), key=lambda i: fx_values[i].denominator)
    why = (
        "its digits do not fit one denominator"
        if longest == largest
        else f"next to {rows[longest][2]} on {rows[longest][0]}"
    )
    _refuse_fx_digits(rows[largest][0], rows[largest][2], why)


def attach_prices(segments: pl.DataFrame, prices: Prices) -> pl.DataFrame:
    """Add the wage version ``w`` and the FX numerator to each (part, user, day) segment, and drop
    the segments whose FX rate is 0 (the rules skip them entirely, hours included)."""
    if prices.fx.height == 0:
        return segments.clear().with_columns(w=pl.lit(0, pl.Int64), fx_numerator=pl.lit(0, pl.Int128))
    return (
        _attach_wage_version(segments.sort("d"), prices)
        .join_asof(prices.fx.sort("date"), left_on="d", right_on="date", strategy="backward")
        .with_columns(pl.col("fx_numerator").fill_null(prices.fx["fx_numerator"][0]))
        .filter(pl.col("fx_numerator") != 0)
        .drop("date", "f")
    )


def _attach_wage_version(segments: pl.DataFrame, prices: Prices) -> pl.DataFrame:
    """Latest version with effective_from <= d; else the user's earliest; else the TRY average."""
    versions = prices.wages.sort("effective_from")
    earliest = prices.wages.group_by("user_id").agg(
        pl.col("w").min().alias("earliest_w")
    )  # w follows effective_from
    return (
        segments.join_asof(
            versions,
            left_on="d",
            right_on="effective_from",
            by="user_id",
            strategy="backward",
            check_sortedness=False,
        )  # both sorted by date above
        .join(earliest, on="user_id", how="left")
        .with_columns(w=pl.coalesce("w", "earliest_w", pl.lit(prices.fallback_w, pl.Int64)))
        .drop("effective_from", "earliest_w")
    )
