"""The drift report: every migrated part's recomputed cost against the old cost it had in
``machining_jobcostagg``.

migrate-costs copies the old rows into ``tasks_partcostagg`` and the recompute then overwrites them,
so the comparison reads the old table, which nothing changes. Old numbers that were stale are
expected; the report makes them visible before the factory relies on the new ones. A part without
a row on one side counts as 0.00 there."""

from dataclasses import asdict, dataclass, field

import polars as pl

from partcost.db.copy import copy_out
from partcost.db.plans import comparing_whole_tables
from partcost.db.sql_files import sql_file

LARGEST_SHOWN = 20
COLUMNS = {"part": pl.Utf8, "job": pl.Utf8, "task": pl.Utf8, "old_cents": pl.Int64, "new_cents": pl.Int64}


@dataclass
class Difference:
    part: str
    job: str
    old_cost: float  # EUR, None when the part had no old row
    new_cost: float  # EUR, None when the recompute wrote no row
    difference: float


@dataclass
class Drift:
    parts: int = 0
    agreeing: int = 0
    differing: int = 0
    only_old: int = 0  # of the differing: an old cost, no recomputed row (no costed time left)
    only_new: int = 0  # of the differing: a recomputed cost, no old row
    net_difference: float = 0.0  # EUR, recomputed minus old, summed
    absolute_difference: float = 0.0
    old_costs_without_part: int = 0  # JobCostAgg rows of tasks that did not migrate
    largest: list[Difference] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def drift(conn) -> Drift:
    """Measure the drift (read only)."""
    with conn.cursor() as cur, comparing_whole_tables(cur):
        rows = copy_out(conn, sql_file("night/drift_part_costs"), COLUMNS).with_columns(
            difference=pl.col("new_cents").fill_null(0) - pl.col("old_cents").fill_null(0)
        )
        cur.execute(sql_file("night/job_costs_without_migrated_part"))
        (without_part,) = cur.fetchone()
    conn.rollback()
    differing = rows.filter(pl.col("difference") != 0)
    return Drift(
        parts=rows.height,
        agreeing=rows.height - differing.height,
        differing=differing.height,
        only_old=differing.filter(pl.col("new_cents").is_null()).height,
        only_new=differing.filter(pl.col("old_cents").is_null()).height,
        net_difference=_euros(rows["difference"].sum()),
        absolute_difference=_euros(rows["difference"].abs().sum()),
        old_costs_without_part=without_part,
        largest=_largest(differing),
    )


def _largest(differing: pl.DataFrame) -> list[Difference]:
    top = differing.sort([pl.col("difference").abs(), "part"], descending=[True, False]).head(LARGEST_SHOWN)
    return [
        Difference(
            row["part"],
            row["job"],
            _euros(row["old_cents"]),
            _euros(row["new_cents"]),
            _euros(row["difference"]),
        )
        for row in top.iter_rows(named=True)
    ]


def _euros(cents):
    return None if cents is None else round(cents / 100, 2)
