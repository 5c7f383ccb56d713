"""Load what a recompute needs, with PostgreSQL COPY straight into polars frames.

A *scope* is the set of parts one unit of work covers: a hash partition of the part keys (how a full
recompute is split between workers) or an explicit list of keys (``--part-key``, the queue)."""

from dataclasses import dataclass
from typing import Optional, Sequence

import polars as pl

from engine.aggregate import VALUE_COLUMNS
from engine.db import content_type_id, copy_out, sql_file
from engine.errors import PartcostError
from engine.price import Prices, build_prices

LOCK_SLOTS = 256  # see sql/lock_part_slots.sql; partitions counts divide it


@dataclass(frozen=True)
class Scope:
    partitions: int = 1
    partition: int = 0
    part_keys: Optional[tuple] = None

    @classmethod
    def keys(cls, part_keys: Sequence[str]) -> "Scope":
        return cls(part_keys=tuple(part_keys))

    def params(self) -> dict:
        keys = list(self.part_keys) if self.part_keys is not None else None
        return {"partitions": self.partitions, "partition": self.partition, "part_keys": keys}

    def lock_slots(self) -> list:
        """The lock slots of a partition (for a key list they are looked up in SQL)."""
        return [slot for slot in range(LOCK_SLOTS) if slot % self.partitions == self.partition]


TIMER_SCHEMA = {"part_id": pl.String, "timer_id": pl.Int64, "user_id": pl.Int64, "start_ms": pl.Int64,
                "finish_ms": pl.Int64, "timer_xmin": pl.Int64, "operation_xmin": pl.Int64}
PART_SCHEMA = {"part_id": pl.String, "job_no": pl.String, "part_xmin": pl.Int64}
STORED_TEXT = {name: pl.String for name in ("job_no_cached", "currency") + VALUE_COLUMNS}


def operation_content_type(conn) -> int:
    return content_type_id(conn, "tasks", "operation")


def load_timers(conn, operation_ct: int, scope: Scope) -> pl.DataFrame:
    return copy_out(conn, sql_file("load_timers"), TIMER_SCHEMA, {**scope.params(), "operation_ct": operation_ct})


def load_parts(conn, scope: Scope) -> pl.DataFrame:
    return copy_out(conn, sql_file("load_parts"), PART_SCHEMA, scope.params())


def load_cost_rows(conn, scope: Scope) -> tuple:
    """The stored (part rows, user rows) of the scope, values in cents."""
    parts = copy_out(conn, sql_file("load_part_cost_rows"),
                     {"row_xmin": pl.Int64, "part_id": pl.String, **STORED_TEXT}, scope.params())
    users = copy_out(conn, sql_file("load_user_cost_rows"),
                     {"row_xmin": pl.Int64, "id": pl.Int64, "part_id": pl.String, "user_id": pl.Int64, **STORED_TEXT},
                     scope.params())
    return _in_cents(parts), _in_cents(users)


def _in_cents(rows: pl.DataFrame) -> pl.DataFrame:
    """'12.30' → 1230: numeric(…, 2) text always has exactly two decimals."""
    return rows.with_columns(pl.col(VALUE_COLUMNS).str.replace(".", "", literal=True).cast(pl.Int64))


def load_prices(conn) -> Prices:
    """Wage versions, the TRY-average fallback wage and the FX snapshots (small tables)."""
    wages = _calendar_dates(copy_out(conn, sql_file("load_wages"), {
        "user_id": pl.Int64, "effective_from": pl.String, "base_monthly": pl.String,
        "after_hours_multiplier": pl.String, "sunday_multiplier": pl.String}), "effective_from",
        lambda row: f"users_wagerate for user {row['user_id']} has effective_from {row['effective_from']}")
    with conn.cursor() as cur:
        cur.execute(sql_file("load_wage_fallback"))
        fallback = cur.fetchone()
    fx = _calendar_dates(copy_out(conn, sql_file("load_fx"), {"date": pl.String, "eur_kind": pl.String,
                                                              "eur": pl.String}), "date",
                         lambda row: f"core_currencyratesnapshot has a row for {row['date']}")
    return build_prices(wages, fallback, fx)


def _calendar_dates(rows: pl.DataFrame, column: str, names_row) -> pl.DataFrame:
    """PostgreSQL's dates as polars dates. PostgreSQL also holds 'infinity', BC dates and years past
    9999, which no timer's day can be compared with: such a row is refused, named by ``names_row``."""
    dates = rows.with_columns(pl.col(column).str.to_date("%Y-%m-%d", strict=False, exact=True))
    outside = rows.filter(dates[column].is_null())
    if outside.height:
        raise PartcostError(f"{names_row(outside.row(0, named=True))}, a date outside the years 1-9999; "
                            "fix that row")
    return dates


def load_user_ids(conn) -> pl.Series:
    return copy_out(conn, sql_file("load_user_ids"), {"user_id": pl.Int64})["user_id"]
