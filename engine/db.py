"""Connections, SQL files and COPY in and out of polars frames.

Every connection error becomes one ``PartcostError`` line with the password masked; every bulk
transfer goes through PostgreSQL COPY in CSV form (which quotes keys with commas, quotes, tabs,
newlines and backslashes correctly, and keeps NULL apart from the empty string)."""

import io
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import polars as pl
import psycopg2
import psycopg2.errors
import psycopg2.extensions

import sql as sql_package
from engine.dsn import DatabaseChoice, choose_database, mask_dsn, mask_secrets, partcost_home
from engine.embedded import server_for_home
from engine.errors import PartcostError

SQL_DIR = Path(sql_package.__file__).parent


@lru_cache(maxsize=None)
def sql_file(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text()


def resolve_dsn(choice: DatabaseChoice) -> str:
    """A connectable DSN for the choice, starting the embedded server when that is the choice."""
    if choice.dsn is not None:
        return choice.dsn
    server = server_for_home(partcost_home())
    server.start()
    return server.url()


def describe(dsn: str) -> str:
    """The DSN as it may be shown to people."""
    return mask_dsn(dsn)


def connect(dsn: str, application_name: str = "partcost") -> "psycopg2.extensions.connection":
    """Open a connection or fail with one clear, password-free line (exit status 2)."""
    try:
        conn = psycopg2.connect(dsn, application_name=application_name)
    except psycopg2.OperationalError as error:
        reason = _first_line(str(error)) or "connection refused"
        raise PartcostError(
            f"cannot connect to the database {describe(dsn)}: {mask_secrets(reason, dsn)}"
        ) from None
    except psycopg2.ProgrammingError as error:
        raise PartcostError(
            f"invalid database address {describe(dsn)}: {mask_secrets(_first_line(str(error)), dsn)}"
        ) from None
    conn.set_client_encoding("UTF8")
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


@contextmanager
def connection(dsn: str, application_name: str = "partcost"):
    conn = connect(dsn, application_name)
    try:
        yield conn
    finally:
        conn.close()


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def database_error_message(error: Exception, dsn: Optional[str] = None) -> str:
    """One line for a database error, naming the failing object where PostgreSQL says it."""
    diag = getattr(error, "diag", None)
    message = _first_line(getattr(diag, "message_primary", None) or str(error))
    detail = getattr(diag, "message_detail", None)
    if detail:
        message = f"{message} ({_first_line(detail)})"
    return mask_secrets(message, dsn)


# -- schema checks ----------------------------------------------------------------------------


def missing_columns(conn, required: Mapping[str, Iterable[str]]) -> list:
    """``table`` or ``table.column`` for every required table/column that the database lacks."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ANY(%s)",
            (list(required),),
        )
        present = {}
        for table, column in cur.fetchall():
            present.setdefault(table, set()).add(column)
    conn.rollback()
    missing = []
    for table, columns in required.items():
        if table not in present:
            missing.append(table)
        else:
            missing.extend(f"{table}.{c}" for c in columns if c not in present[table])
    return missing


def require_columns(conn, required: Mapping[str, Iterable[str]], hint: str) -> None:
    fail_if_missing(missing_columns(conn, required), hint)


def fail_if_missing(missing: list, hint: str) -> None:
    """One line naming what the database lacks (the first few), and what to do about it."""
    if missing:
        shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
        raise PartcostError(f"the database lacks {shown}; {hint}")


# -- plans that do not depend on statistics ----------------------------------------------------
#
# PostgreSQL's planner takes a table's row count from its statistics, and those can be badly wrong:
# autovacuum's ANALYZE that comes by while a bulk INSERT is not committed yet (migrate-costs filling
# TRUNCATEd cost tables, say) counts every page and no live row on them, so the planner estimates one
# row for a table of a million — and joins it by reading the other side again for each of its rows.
# Temporary tables are never analyzed by autovacuum at all. So partcost's set-based statements are
# written not to depend on those numbers: a statement driven by a set of keys (a batch, the changed
# rows) reaches the big tables only through keyed lookups (a correlated subquery, a LATERAL subquery
# or ``= ANY(keys)``), its staging table analyzed right after it is filled; a statement over whole
# tables runs with nested loops switched off (``whole_tables``), so every join is a hash or merge join,
# linear whatever the estimates.


@contextmanager
def whole_tables(cur):
    """For the statements run inside: no nested-loop joins, for this transaction only (set_config(…,
    true) is SET LOCAL), then the setting as it was. Only for statements that join whole tables,
    where a nested loop is never the right plan and only a wrong row estimate chooses one."""
    cur.execute("SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)")
    before = cur.fetchone()[0]
    yield
    cur.execute("SELECT set_config('enable_nestloop', %s, true)", (before,))


def refresh_statistics(conn, tables: Sequence[str]) -> list:
    """ANALYZE those of ``tables`` this role may (their owner, a superuser, or on PostgreSQL 17+ a role
    granted MAINTAIN), inside the caller's transaction; returns the others, left as they are (ANALYZE
    would skip them with a warning). Nothing of partcost's depends on the statistics being right (see
    ``whole_tables``), but the application's own queries and the next night's do."""
    with conn.cursor() as cur:
        cur.execute(sql_file("tables_this_role_may_analyze"), {"tables": list(tables)})
        allowed = {name for name, may in cur.fetchall() if may}
        if allowed:
            cur.execute("ANALYZE " + ", ".join(psycopg2.extensions.quote_ident(t, conn)
                                               for t in tables if t in allowed))
    return [table for table in tables if table not in allowed]


def content_type_id(conn, app_label: str, model: str) -> int:
    """Django's content type id for (app_label, model); it differs between databases."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id FROM django_content_type WHERE app_label = %s AND model = %s", (app_label, model)
        )
        row = cur.fetchone()
    if row is None:
        raise PartcostError(
            f"django_content_type has no row for ({app_label!r}, {model!r}); run Django's migrations first"
        )
    return row[0]


# -- COPY ---------------------------------------------------------------------------------------


def copy_out(conn, query: str, schema: Mapping[str, pl.DataType], params: Optional[Sequence] = None) -> pl.DataFrame:
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


def copy_in(conn, table: str, frame: pl.DataFrame, columns: Optional[Sequence[str]] = None) -> int:
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
