"""Sum priced segments per (part, user) and per part, exactly, and round half up to the cent.

Hours are whole seconds, so ``hours = S / 3600`` rounds with integer arithmetic alone. A cost is
``Σ seconds × fx_numerator × rate_numerator / denominator``: the first product is summed per
(part, user, wage version) in polars' Int128, the rest in Python integers over numpy object arrays —
one operation per aggregated row, never per timer — so every value is the exact rational rounded
once, never a float that happens to round right."""

import numpy as np
import polars as pl

from partcost.recompute.price import BUCKETS, Prices

CURRENCY = "EUR"
JOB_NO_LIMIT = 100  # job_no_cached is varchar(100)
HOURS_CENTS_LIMIT = 10**12  # numeric(12, 2)
COST_CENTS_LIMIT = 10**16  # numeric(16, 2)
CENTS_CLAMP = 2**62
VALUE_COLUMNS = tuple(f"hours_{b}" for b in BUCKETS) + tuple(f"cost_{b}" for b in BUCKETS) + ("total_cost",)


def aggregate(priced: pl.DataFrame, prices: Prices, parts: pl.DataFrame) -> tuple:
    """``priced``: (p, user_id, d, ww, ah, su, w, fx_numerator); ``parts``: (p, part_id, job_no) for
    every part with at least one finished timer. Returns (part rows, user rows) with values in cents
    (Int64), before formatting; every part in ``parts`` gets a row, zeros included."""
    per_version = _sum_per_version(priced)
    users, user_numerators = _sum_groups(per_version, ["p", "user_id"], _cost_numerators(per_version, prices))
    by_part, part_numerators = _sum_groups(users, ["p"], user_numerators)
    part_rows = _every_part(_to_cents(by_part, part_numerators, prices.denominator), parts)
    user_rows = _to_cents(users, user_numerators, prices.denominator).join(parts, on="p", how="left")
    return part_rows.drop("p"), user_rows.drop("p")


def _sum_per_version(priced: pl.DataFrame) -> pl.DataFrame:
    """Seconds and seconds × FX numerator per (part, user, wage version), sorted by part and user."""
    return (
        priced.group_by("p", "user_id", "w")
        .agg(
            *[pl.col(b).sum().alias(f"s_{b}") for b in BUCKETS],
            *[(pl.col(b).cast(pl.Int128) * pl.col("fx_numerator")).sum().alias(f"sf_{b}") for b in BUCKETS],
        )
        .sort("p", "user_id", "w")
    )


def _cost_numerators(per_version: pl.DataFrame, prices: Prices) -> dict:
    """Exact cost numerators (Python ints in object arrays), one per row of ``per_version``."""
    versions = per_version["w"].to_numpy()
    return {
        b: np.array(per_version[f"sf_{b}"].to_list(), dtype=object)
        * np.array(prices.rate_numerators[b], dtype=object)[versions]
        for b in BUCKETS
    }


def _sum_groups(frame: pl.DataFrame, keys: list, numerators: dict) -> tuple:
    """Sum seconds and numerators over consecutive rows sharing ``keys`` (``frame`` is sorted)."""
    seconds = [pl.col(f"s_{b}").sum() for b in BUCKETS]
    if frame.height == 0:
        return frame.group_by(keys).agg(seconds), numerators
    summed = frame.group_by(keys, maintain_order=True).agg(seconds)
    if summed.height == frame.height:
        return summed, numerators
    group = frame.select(pl.struct(keys).rle_id()).to_series().to_numpy()
    starts = np.flatnonzero(np.diff(group, prepend=-1))
    return summed, {b: np.add.reduceat(numerators[b], starts) for b in BUCKETS}


def _to_cents(frame: pl.DataFrame, numerators: dict, denominator: int) -> pl.DataFrame:
    """Hours and costs in cents, each the exact value rounded half up; total from the exact sum."""
    total = [a + b + c for a, b, c in zip(numerators["ww"], numerators["ah"], numerators["su"])]
    return frame.with_columns(
        *[((pl.col(f"s_{b}") + 18) // 36).alias(f"hours_{b}") for b in BUCKETS],
        *[pl.Series(f"cost_{b}", _round_half_up_cents(numerators[b], denominator)) for b in BUCKETS],
        pl.Series("total_cost", _round_half_up_cents(total, denominator)),
    ).drop(*[f"s_{b}" for b in BUCKETS])


def _round_half_up_cents(numerators, denominator: int) -> np.ndarray:
    """round(n / denominator, 2) half up, in int64 cents. Numerators are never negative: prices
    refuse negative wages and FX rates."""
    twice = 2 * denominator
    cents = [(n * 200 + denominator) // twice for n in numerators]
    try:
        return np.array(cents, dtype=np.int64)
    except OverflowError:  # absurd data only; unwritable_parts names the part
        return np.array([min(c, CENTS_CLAMP) for c in cents], dtype=np.int64)


def _every_part(part_rows: pl.DataFrame, parts: pl.DataFrame) -> pl.DataFrame:
    """A row for every part with a finished timer, all zero where nothing was costed."""
    zeros = {name: pl.col(name).fill_null(0) for name in VALUE_COLUMNS}
    return parts.join(part_rows, on="p", how="left").with_columns(**zeros)


def unwritable_parts(
    part_rows: pl.DataFrame, user_rows: pl.DataFrame, known_users: pl.Series
) -> pl.DataFrame:
    """Parts whose rows the tables cannot hold, with the reason: (part_id, reason)."""
    too_long_job = part_rows.filter(pl.col("job_no").str.len_chars() > JOB_NO_LIMIT).select(
        "part_id",
        reason=pl.format(
            "job_no is {} characters; job_no_cached holds {}",
            pl.col("job_no").str.len_chars(),
            pl.lit(JOB_NO_LIMIT),
        ),
    )
    unknown_user = (
        user_rows.filter(~pl.col("user_id").is_in(known_users.implode()))
        .group_by("part_id")
        .agg(reason=pl.format("a timer's user_id {} is not in auth_user", pl.col("user_id").min()))
    )
    out_of_range = (
        pl.concat([part_rows.select("part_id", *VALUE_COLUMNS), user_rows.select("part_id", *VALUE_COLUMNS)])
        .filter(_beyond_column_range())
        .select("part_id", reason=pl.lit("hours or cost beyond the columns' numeric range"))
    )
    return pl.concat([too_long_job, unknown_user, out_of_range]).unique(
        "part_id", keep="first", maintain_order=True
    )


def _beyond_column_range() -> pl.Expr:
    hours = [pl.col(f"hours_{b}").abs() >= HOURS_CENTS_LIMIT for b in BUCKETS]
    costs = [pl.col(c).abs() >= COST_CENTS_LIMIT for c in VALUE_COLUMNS if not c.startswith("hours")]
    return pl.any_horizontal(*hours, *costs)


def as_stored(rows: pl.DataFrame) -> pl.DataFrame:
    """The columns the cost tables store besides the values: currency, and job_no_cached ('' for NULL)."""
    return rows.with_columns(job_no_cached=pl.col("job_no").fill_null(""), currency=pl.lit(CURRENCY)).drop(
        "job_no"
    )


def as_text(rows: pl.DataFrame) -> pl.DataFrame:
    """Values in cents → PostgreSQL numeric text ('12.30', '-0.05'), for COPY."""
    return rows.with_columns(*[_cents_text(pl.col(name)).alias(name) for name in VALUE_COLUMNS])


def _cents_text(cents: pl.Expr) -> pl.Expr:
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    magnitude = cents.abs()
    return sign + (magnitude // 100).cast(pl.String) + "." + (magnitude % 100).cast(pl.String).str.zfill(2)
