"""Connections to PostgreSQL, and database errors as one line.

Every connection error becomes one ``PartcostError`` line with the password masked. Every
connection partcost opens (the parent's, each worker's and drainer's) sets its own session limits,
so that limits an application put on the role, the database or the DSN (Django's ``OPTIONS``,
``-c statement_timeout=30s``) cannot cut partcost's long statements short or end a worker's
transaction while it computes."""

from contextlib import contextmanager

import psycopg2
import psycopg2.errors
import psycopg2.extensions

from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.server.dsn import mask_dsn, mask_secrets

# partcost's session limits: none. Its set-based statements run for minutes on a large database,
# workers hold a partition's transaction open while they compute it, and recompute partitions and
# drainers wait for each other's locks by design; a run is stopped by the stop file, Ctrl-C or
# SIGTERM, never by a timeout. Settings an older server lacks (idle_session_timeout before
# PostgreSQL 14, transaction_timeout before 17) are left out.
SESSION_LIMITS = {
    "statement_timeout": "0",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "idle_session_timeout": "0",
    "transaction_timeout": "0",
}


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
        set_session_limits(cur)
    conn.commit()
    return conn


def set_session_limits(cursor) -> None:
    """partcost's SESSION_LIMITS on the cursor's connection (psycopg2's, or Django's)."""
    cursor.execute(
        sql_file("db/set_session_limits"),
        {"names": list(SESSION_LIMITS), "settings": list(SESSION_LIMITS.values())},
    )


@contextmanager
def connection(dsn: str, application_name: str = "partcost"):
    conn = connect(dsn, application_name)
    try:
        yield conn
    finally:
        conn.close()


def one_row(cursor, query, params=None) -> dict:
    """Run a statement that returns one row and give it by column name, on the caller's cursor (a
    tuple cursor, as partcost's connections make): the cursor's settings (``plans.whole_tables``) and
    its connection's cursor factory apply.

    Example::

        one_row(cur, "SELECT count(*) AS parts FROM tasks_part")   # {'parts': 100500}
    """
    cursor.execute(query, params)
    return dict(zip([column.name for column in cursor.description], cursor.fetchone()))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def database_error_message(error: Exception, dsn: str | None = None) -> str:
    """One line for a database error, naming the failing object where PostgreSQL says it."""
    diag = getattr(error, "diag", None)
    message = _first_line(getattr(diag, "message_primary", None) or str(error))
    detail = getattr(diag, "message_detail", None)
    if detail:
        message = f"{message} ({_first_line(detail)})"
    return mask_secrets(message, dsn)
