"""What a partition's inputs and stored cost rows were when it was last computed, so that a re-run
can skip a partition nothing has touched since."""

from dataclasses import dataclass

import polars as pl


@dataclass
class Fingerprint:
    """A partition's inputs (sql/recompute/inputs_fingerprint.sql) and stored cost rows
    (sql/recompute/results_fingerprint.sql) as row counts and xmin sums, to skip partitions nothing touched."""

    inputs: tuple
    part_rows: int = 0
    part_xmin: int = 0
    user_rows: int = 0
    user_xmin: int = 0

    @classmethod
    def of_loaded(cls, timers: pl.DataFrame, parts: pl.DataFrame) -> "Fingerprint":
        """The inputs figures of sql/recompute/inputs_fingerprint.sql, from the rows a worker loaded."""
        return cls((timers.height, timers["timer_xmin"].sum(), timers["operation_xmin"].sum(),
                    f"{parts.height}:{parts['part_xmin'].sum()}"))

    def with_results(self, row: tuple) -> "Fingerprint":
        return Fingerprint(self.inputs, *row)

    @property
    def results_text(self) -> str:
        return f"{self.part_rows}:{self.part_xmin} {self.user_rows}:{self.user_xmin}"

    def text(self, context: str) -> str:
        return f"{context} | {' '.join(map(str, self.inputs))} | {self.results_text}"
