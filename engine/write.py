"""Write computed cost rows: only what changed, inside the caller's transaction.

Writing into Django's tables is the expensive part of a recompute (every row maintains several
indexes and a deferred foreign-key check at COMMIT), so the computed rows are compared with the stored
ones first: new rows are COPied in, changed rows are UPDATEd in place (no foreign-key check), rows of
parts or users that no longer have costed time are deleted, and unchanged rows are not touched at all
(their ``updated_at`` keeps the time they last changed)."""

from dataclasses import dataclass
from datetime import datetime, timezone

import polars as pl

from engine.aggregate import VALUE_COLUMNS, as_text
from engine.db import copy_in, sql_file

COMPARED = ("job_no_cached", "currency") + VALUE_COLUMNS
PART_KEY = ["part_id"]
USER_KEY = ["part_id", "user_id"]


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "WriteCounts") -> "WriteCounts":
        for name in ("inserted", "updated", "deleted", "unchanged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


@dataclass
class Changes:
    """What must happen to one table for its stored rows to equal the computed ones."""

    insert: pl.DataFrame
    update: pl.DataFrame
    delete: pl.DataFrame
    unchanged: int


def diff(computed: pl.DataFrame, stored: pl.DataFrame, key: list) -> Changes:
    """Values are compared in cents, as integers."""
    computed = computed.select(*key, *COMPARED)
    both = computed.join(stored, on=key, how="inner", suffix="_stored")
    differs = pl.any_horizontal(*[pl.col(c) != pl.col(f"{c}_stored") for c in COMPARED])
    update = both.filter(differs)
    return Changes(
        insert=computed.join(stored, on=key, how="anti"),
        update=update.select(*key, *COMPARED, *(["id"] if "id" in stored.columns else [])),
        delete=stored.join(computed, on=key, how="anti"),
        unchanged=both.height - update.height,
    )


def write_cost_rows(conn, part_rows: pl.DataFrame, user_rows: pl.DataFrame,
                    stored_parts: pl.DataFrame, stored_users: pl.DataFrame) -> WriteCounts:
    """Make the stored rows equal the computed ones (all in the caller's transaction)."""
    now = datetime.now(timezone.utc).isoformat()
    parts, users = diff(part_rows, stored_parts, PART_KEY), diff(user_rows, stored_users, USER_KEY)
    with conn.cursor() as cur:
        if users.delete.height:
            cur.execute(sql_file("delete_user_cost_rows"), {"ids": users.delete["id"].to_list()})
        if parts.delete.height:
            cur.execute(sql_file("delete_part_cost_rows"), {"part_ids": parts.delete["part_id"].to_list()})
        _update(conn, cur, "part", as_text(parts.update), now)
        _update(conn, cur, "user", as_text(users.update), now)
    _insert(conn, "tasks_partcostagg", parts.insert.sort(PART_KEY), now)
    _insert(conn, "tasks_partcostaguser", users.insert.sort(USER_KEY), now)
    return WriteCounts(
        inserted=parts.insert.height + users.insert.height,
        updated=parts.update.height + users.update.height,
        deleted=parts.delete.height + users.delete.height,
        unchanged=parts.unchanged + users.unchanged,
    )


def _insert(conn, table: str, rows: pl.DataFrame, now: str) -> None:
    """COPY new rows straight into the table, in key order (index pages are then filled in order)."""
    copy_in(conn, table, as_text(rows).with_columns(updated_at=pl.lit(now)))


def _update(conn, cur, level: str, rows: pl.DataFrame, now: str) -> None:
    """UPDATE changed rows in place, through a temporary table filled by COPY."""
    if rows.height == 0:
        return
    cur.execute(sql_file(f"create_changed_{level}_costs"))
    copy_in(conn, f"partcost_changed_{level}_costs", rows)
    cur.execute(sql_file(f"update_{level}_cost_rows"), {"now": now})
