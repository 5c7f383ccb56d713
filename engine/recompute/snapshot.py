"""The whole-database inputs every scope shares — wage versions, the fallback wage, FX snapshots and
the set of user ids — loaded together with the fingerprint of exactly what was loaded.

Invariant: ``PriceSnapshot.fingerprint`` always describes the rows its ``prices`` and ``known_users``
were built from, because all of them are read in one REPEATABLE READ snapshot. A partition's recorded
fingerprint includes it, so a change to any of these tables is never hidden behind a fingerprint taken
from other rows than the ones the costs were computed from.

Example::

    snapshot = load_snapshot(conn)               # conn must not be inside a transaction
    if current_fingerprint(conn) != snapshot.fingerprint:
        ...                                       # wages, FX or users changed since: load again
"""

from dataclasses import dataclass

import polars as pl

from partcost.db.sql_files import sql_file
from partcost.recompute.load import load_prices, load_user_ids
from partcost.recompute.price import Prices


@dataclass(frozen=True)
class PriceSnapshot:
    prices: Prices
    known_users: pl.Series
    fingerprint: str


def load_snapshot(conn) -> PriceSnapshot:
    """Read prices, user ids and their fingerprint in one read-only REPEATABLE READ transaction."""
    with conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    try:
        snapshot = PriceSnapshot(load_prices(conn), load_user_ids(conn), current_fingerprint(conn))
    finally:
        conn.rollback()
    return snapshot


def current_fingerprint(conn) -> str:
    """The fingerprint of the price tables as the calling statement sees them."""
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/prices_fingerprint"))
        return cur.fetchone()[0]
