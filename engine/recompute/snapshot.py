"""The whole-database inputs every scope shares — wage versions, the fallback wage, FX snapshots and
the set of user ids — loaded together with what exactly was seen (``PricesSeen``).

Invariant: ``PriceSnapshot.seen`` always describes the rows its ``prices`` and ``known_users`` were
built from, because all of them are read in one REPEATABLE READ snapshot. A partition's record
includes it, and ``prices_unchanged`` compares the tables with it exactly (partcost.recompute.changes: no row
written since the snapshot's oldest running transaction, the same row counts, the same user ids), so a
change to any of these tables is never hidden.

Example::

    snapshot = load_snapshot(conn)                # conn must not be inside a transaction
    if not prices_unchanged(conn, snapshot.seen):
        ...                                        # wages, FX or users changed since: load again
"""

from dataclasses import dataclass

import polars as pl

from partcost.db.sql_files import sql_file
from partcost.recompute.changes import PricesSeen, window
from partcost.recompute.load import load_prices, load_user_ids
from partcost.recompute.price import Prices


@dataclass(frozen=True)
class PriceSnapshot:
    prices: Prices
    known_users: pl.Series
    seen: PricesSeen


def load_snapshot(conn) -> PriceSnapshot:
    """Read prices, user ids and what was seen in one read-only REPEATABLE READ transaction."""
    with conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    try:
        prices, users = load_prices(conn), load_user_ids(conn)
        with conn.cursor() as cur:
            cur.execute(sql_file("recompute/prices_seen"))
            snapshot = PriceSnapshot(prices, users, PricesSeen(*cur.fetchone()))
    finally:
        conn.rollback()
    return snapshot


def prices_unchanged(conn, seen: PricesSeen) -> bool:
    """Whether the price tables, as the calling statement sees them, hold exactly what ``seen`` saw."""
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/changes_prices"), {"since": seen.since})
        length, age_since, wages, wages_new, fx, fx_new, users = cur.fetchone()
    return (
        window(length, age_since) is not None
        and not wages_new
        and not fx_new
        and (wages, fx, users) == (seen.wages, seen.fx, seen.users)
    )
