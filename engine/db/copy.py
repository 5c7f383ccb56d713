"""Bulk transfer between PostgreSQL and polars frames, always through COPY in CSV form.

CSV quotes keys with commas, quotes, tabs, newlines and backslashes correctly, and keeps NULL apart
from the empty string."""

import io
from collections.abc import Mapping, Sequence

import polars as pl
import psycopg2.extensions

# Column name -> polars type, as a frame's schema is written: {"part_id": pl.String}
ColumnTypes = Mapping[str, pl.DataType | type[pl.DataType]]


def copy_out(conn, query: str, schema: ColumnTypes, params: Sequence | Mapping | None = None) -> pl.DataFrame:
    """Run ``COPY (query) TO STDOUT`` and read the rows into a polars frame with ``schema``.

    ``params`` are bound by the driver (``cursor.mogrify``), never formatted by hand."""
    with conn.cursor() as cur:
        bound = cur.mogrify(query, params).decode() if params is not None else query
        buffer = io.BytesIO()
        cur.copy_expert(f"COPY ({bound}) TO STDOUT WITH (FORMAT csv, HEADER true)", buffer)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(buffer, schema=schema)  # unquoted empty is NULL, "" the empty string


def copy_in(conn, table: str, frame: pl.DataFrame, columns: Sequence[str] | None = None) -> int:
    """COPY a frame into ``table`` (columns named, never by position). Returns the row count."""
    columns = list(columns or frame.columns)
    if frame.height == 0:
        return 0
    data = frame.select(columns).write_csv(include_header=False, null_value="").encode()
    quoted = ", ".join(psycopg2.extensions.quote_ident(c, conn) for c in columns)
    with conn.cursor() as cur:
        cur.copy_expert(
            f"COPY {psycopg2.extensions.quote_ident(table, conn)} ({quoted}) FROM STDIN WITH (FORMAT csv)",
            io.BytesIO(data),
        )
    return frame.height
