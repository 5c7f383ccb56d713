"""Load what a recompute needs, with PostgreSQL COPY straight into polars frames."""

import polars as pl

from partcost.db.catalogue import content_type_id
from partcost.db.copy import copy_out
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.recompute.aggregate import VALUE_COLUMNS
from partcost.recompute.price import Prices, build_prices
from partcost.recompute.scope import Scope

TIMER_SCHEMA = {
    "part_id": pl.String,
    "timer_id": pl.Int64,
    "user_id": pl.Int64,
    "start_ms": pl.Int64,
    "finish_ms": pl.Int64,
    "timer_xmin": pl.Int64,
    "operation_xmin": pl.Int64,
}
PART_SCHEMA = {"part_id": pl.String, "job_no": pl.String, "part_xmin": pl.Int64}
STORED_TEXT = {name: pl.String for name in ("job_no_cached", "currency") + VALUE_COLUMNS}


def operation_content_type(conn) -> int:
    return content_type_id(conn, "tasks", "operation")


def load_timers(conn, operation_ct: int, scope: Scope) -> pl.DataFrame:
    return copy_out(
        conn,
        sql_file("recompute/load_timers"),
        TIMER_SCHEMA,
        {**scope.params(), "operation_ct": operation_ct},
    )


def load_parts(conn, scope: Scope) -> pl.DataFrame:
    return copy_out(conn, sql_file("recompute/load_parts"), PART_SCHEMA, scope.params())


def load_cost_rows(conn, scope: Scope) -> tuple:
    """The stored (part rows, user rows) of the scope, values in cents."""
    parts = copy_out(
        conn,
        sql_file("recompute/load_part_cost_rows"),
        {"row_xmin": pl.Int64, "part_id": pl.String, **STORED_TEXT},
        scope.params(),
    )
    users = copy_out(
        conn,
        sql_file("recompute/load_user_cost_rows"),
        {"row_xmin": pl.Int64, "id": pl.Int64, "part_id": pl.String, "user_id": pl.Int64, **STORED_TEXT},
        scope.params(),
    )
    return _in_cents(parts), _in_cents(users)


def _in_cents(rows: pl.DataFrame) -> pl.DataFrame:
    """'12.30' → 1230: numeric(…, 2) text always has exactly two decimals."""
    return rows.with_columns(pl.col(VALUE_COLUMNS).str.replace(".", "", literal=True).cast(pl.Int64))


def load_prices(conn) -> Prices:
    """Wage versions, the TRY-average fallback wage and the FX snapshots (small tables)."""
    wages = _calendar_dates(
        copy_out(
            conn,
            sql_file("recompute/load_wages"),
            {
                "user_id": pl.Int64,
                "effective_from": pl.String,
                "base_monthly": pl.String,
                "after_hours_multiplier": pl.String,
                "sunday_multiplier": pl.String,
            },
        ),
        "effective_from",
        lambda row: f"users_wagerate for user {row['user_id']} has effective_from {row['effective_from']}",
    )
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/load_wage_fallback"))
        fallback = cur.fetchone()
    fx = _calendar_dates(
        copy_out(
            conn, sql_file("recompute/load_fx"), {"date": pl.String, "eur_kind": pl.String, "eur": pl.String}
        ),
        "date",
        lambda row: f"core_currencyratesnapshot has a row for {row['date']}",
    )
    return build_prices(wages, fallback, fx)


def _calendar_dates(rows: pl.DataFrame, column: str, names_row) -> pl.DataFrame:
    """PostgreSQL's dates as polars dates. PostgreSQL also holds 'infinity', BC dates and years past
    9999, which no timer's day can be compared with: such a row is refused, named by ``names_row``."""
    dates = rows.with_columns(pl.col(column).str.to_date("%Y-%m-%d", strict=False, exact=True))
    outside = rows.filter(dates[column].is_null())
    if outside.height:
        raise PartcostError(
            f"{names_row(outside.row(0, named=True))}, a date outside the years 1-9999; fix that row"
        )
    return dates


def load_user_ids(conn) -> pl.Series:
    return copy_out(conn, sql_file("recompute/load_user_ids"), {"user_id": pl.Int64})["user_id"]
