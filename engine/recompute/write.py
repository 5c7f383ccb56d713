"""Write computed cost rows: only what changed, inside the caller's transaction.

Writing into Django's tables is the expensive part of a recompute (every row maintains several
indexes and a deferred foreign-key check at COMMIT), so the computed rows are compared with the stored
ones first: new rows are COPied in, changed rows are UPDATEd in place (no foreign-key check), rows of
parts or users that no longer have costed time are deleted, and unchanged rows are not touched at all
(their ``updated_at`` keeps the time they last changed). Every UPDATE and DELETE finds its rows by their
keys, never by a join the planner could get wrong (sql/recompute/update_*_cost_rows.sql).

Another writer of the same rows (the app's own per-part service rewrites a part's rows by delete and
insert, without partcost's slot locks) must never be papered over: every DELETE and UPDATE must touch
exactly the rows it planned, and ``verify_written`` proves afterwards that the scope holds exactly the
rows this write planned — else ``ConcurrentWrite`` rolls the scope back."""

from dataclasses import dataclass
from datetime import datetime, timezone

import polars as pl

from partcost.db.copy import copy_in
from partcost.db.schema import PART_COSTS, USER_COSTS
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.recompute.aggregate import VALUE_COLUMNS, as_text

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


class ConcurrentWrite(PartcostError):
    """Another writer changed cost rows of the scope while it was being written."""

    def __init__(self, what: str):
        super().__init__(
            f"another writer changed its cost rows while they were recomputed ({what}); "
            "rolled back — the next run recomputes it"
        )


@dataclass
class Expected:
    """What one table must hold for the scope once the write is done, if nobody else wrote to it."""

    rows: int = 0  # rows of the scope
    written: int = 0  # rows this transaction inserted or updated
    kept_xmin: int = 0  # the xmin sum of the rows it left as they were


@dataclass
class Changes:
    """What must happen to one table for its stored rows to equal the computed ones."""

    insert: pl.DataFrame
    update: pl.DataFrame
    delete: pl.DataFrame
    unchanged: pl.DataFrame

    def expected(self, left_alone: pl.DataFrame) -> Expected:
        """``left_alone``: stored rows of parts this write must not touch (parts that failed)."""
        kept = self.unchanged.height + left_alone.height
        written = self.insert.height + self.update.height
        return Expected(
            kept + written, written, int(self.unchanged["row_xmin"].sum()) + int(left_alone["row_xmin"].sum())
        )


def diff(computed: pl.DataFrame, stored: pl.DataFrame, key: list) -> Changes:
    """Values are compared in cents, as integers."""
    computed = computed.select(*key, *COMPARED)
    both = computed.join(stored, on=key, how="inner", suffix="_stored")
    differs = pl.any_horizontal(*[pl.col(c) != pl.col(f"{c}_stored") for c in COMPARED])
    return Changes(
        insert=computed.join(stored, on=key, how="anti"),
        update=both.filter(differs).select(*key, *COMPARED, *(["id"] if "id" in stored.columns else [])),
        delete=stored.join(computed, on=key, how="anti"),
        unchanged=both.filter(~differs),
    )


@dataclass
class Written:
    counts: WriteCounts
    expected: tuple  # (Expected for PART_COSTS, Expected for USER_COSTS)
    inserted_parts: list  # the part keys of the rows inserted (only those need their references checked)


def write_cost_rows(
    conn,
    part_rows: pl.DataFrame,
    user_rows: pl.DataFrame,
    stored_parts: pl.DataFrame,
    stored_users: pl.DataFrame,
    failed: pl.DataFrame,
) -> Written:
    """Make the stored rows equal the computed ones (all in the caller's transaction); the stored rows
    of the ``failed`` parts are left as they are."""
    now = datetime.now(timezone.utc).isoformat()
    (parts, parts_left), (users, users_left) = (
        (
            diff(computed, stored.join(failed, on="part_id", how="anti"), key),
            stored.join(failed, on="part_id", how="semi"),
        )
        for computed, stored, key in (
            (part_rows, stored_parts, PART_KEY),
            (user_rows, stored_users, USER_KEY),
        )
    )
    with conn.cursor() as cur:
        if users.delete.height:
            cur.execute(sql_file("recompute/delete_user_cost_rows"), {"ids": users.delete["id"].to_list()})
            _touched(cur, users.delete.height, "per-user rows deleted")
        if parts.delete.height:
            cur.execute(
                sql_file("recompute/delete_part_cost_rows"), {"part_ids": parts.delete["part_id"].to_list()}
            )
            _touched(cur, parts.delete.height, "per-part rows deleted")
        _update(conn, cur, "part", as_text(parts.update), now)
        _update(conn, cur, "user", as_text(users.update), now)
    _insert(conn, PART_COSTS, parts.insert.sort(PART_KEY), now)
    _insert(conn, USER_COSTS, users.insert.sort(USER_KEY), now)
    counts = WriteCounts(
        inserted=parts.insert.height + users.insert.height,
        updated=parts.update.height + users.update.height,
        deleted=parts.delete.height + users.delete.height,
        unchanged=parts.unchanged.height + users.unchanged.height,
    )
    inserted_parts = pl.concat([parts.insert["part_id"], users.insert["part_id"]]).unique().to_list()
    return Written(counts, (parts.expected(parts_left), users.expected(users_left)), inserted_parts)


def verify_written(conn, scope_params: dict, expected: tuple) -> tuple:
    """Prove the scope holds exactly the rows the write planned; returns the stored rows' figures, read
    in the same statement."""
    found, xid = _stored(conn, scope_params)
    for (rows, written, others_xmin), want, name in zip(found, expected, ("per-part", "per-user")):
        if (rows, written, others_xmin) != (want.rows, want.written, want.kept_xmin):
            raise ConcurrentWrite(f"{name} rows: {rows} found, {want.rows} planned")
    return _figures(found, xid)


def _stored(conn, scope_params: dict) -> tuple:
    """(per table (rows, written by this transaction, xmin sum of the others), this transaction's xid)."""
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/transaction_xid"))
        (xid,) = cur.fetchone()
        cur.execute(sql_file("recompute/verify_written"), {**scope_params, "xid": xid})
        found = cur.fetchone()
    return (tuple(found[:3]), tuple(found[3:])), xid


def _figures(found: tuple, xid: int) -> tuple:
    return tuple(
        figure for rows, written, others_xmin in found for figure in (rows, others_xmin + written * xid)
    )


def _touched(cur, planned: int, what: str) -> None:
    if cur.rowcount != planned:
        raise ConcurrentWrite(f"{what}: {cur.rowcount} of {planned}")


def _insert(conn, table: str, rows: pl.DataFrame, now: str) -> None:
    """COPY new rows straight into the table, in key order (index pages are then filled in order)."""
    copy_in(conn, table, as_text(rows).with_columns(updated_at=pl.lit(now)))


# level -> (the statement creating its temporary table, that table, the UPDATE reading it)
CHANGED_ROWS = {
    "part": (
        "recompute/create_changed_part_costs",
        "partcost_changed_part_costs",
        "recompute/update_part_cost_rows",
    ),
    "user": (
        "recompute/create_changed_user_costs",
        "partcost_changed_user_costs",
        "recompute/update_user_cost_rows",
    ),
}


def _update(conn, cur, level: str, rows: pl.DataFrame, now: str) -> None:
    """UPDATE changed rows in place, through a temporary table filled by COPY; the rows are found by
    their keys, not by a join (see sql/recompute/update_*_cost_rows.sql)."""
    if rows.height == 0:
        return
    create, table, update = CHANGED_ROWS[level]
    cur.execute(sql_file(create))
    copy_in(conn, table, rows)
    keys = {"part_ids": rows["part_id"].to_list()} if level == "part" else {"ids": rows["id"].to_list()}
    cur.execute(sql_file(update), {"now": now, **keys})
    _touched(cur, rows.height, f"per-{level} rows updated")
