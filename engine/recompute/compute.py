"""The pure computation at the heart of a recompute: timers, parts and prices in, stored rows out.
No database, no clock: the same frames always give the same rows."""

import polars as pl

from partcost.recompute.aggregate import aggregate, as_stored, unwritable_parts
from partcost.recompute.price import Prices, attach_prices
from partcost.recompute.split import WorkCalendar, split_timers, unsplittable_timers


def compute_costs(
    timers: pl.DataFrame, parts: pl.DataFrame, prices: Prices, calendar: WorkCalendar, known_users: pl.Series
) -> tuple:
    """Pure computation: (part rows, user rows, failed parts) for the given timers (part_id, timer_id,
    user_id, start_ms, finish_ms). A part with a timer the calendar cannot split fails alone, before
    the split, and the other parts are costed. Parts are carried as integer codes ``p`` until the
    end: grouping on integers is much faster than on keys."""
    parts = parts.with_row_index("p")
    timers = timers.join(parts.select("part_id", "p"), on="part_id").drop("part_id")
    unsplittable = unsplittable_timers(timers)
    timers = timers.join(unsplittable, on="p", how="anti")
    costed_parts = parts.join(timers.select("p").unique(), on="p", how="semi")
    priced = attach_prices(split_timers(timers, calendar), prices)
    part_rows, user_rows = aggregate(priced, prices, costed_parts)
    failed = pl.concat(
        [
            parts.join(unsplittable, on="p").select("part_id", "reason"),
            unwritable_parts(part_rows, user_rows, known_users),
        ]
    )
    keep = lambda rows: as_stored(rows.join(failed, on="part_id", how="anti"))
    return keep(part_rows), keep(user_rows), failed
