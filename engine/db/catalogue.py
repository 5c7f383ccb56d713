"""What the database has: tables, columns and Django content types, checked before work starts."""

from collections.abc import Iterable, Mapping, Sequence

from psycopg2 import sql

from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError


def missing_columns(conn, required: Mapping[str, Iterable[str]]) -> list:
    """``table`` or ``table.column`` for every required table/column that the database lacks."""
    with conn.cursor() as cur:
        cur.execute(sql_file("db/columns_of_tables"), {"tables": list(required)})
        present: dict[str, set[str]] = {}
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


def row_counts(conn, tables: Sequence[str] | None = None) -> dict[str, int]:
    """The exact row count of each of ``tables`` (default: every table of the current schema, by
    name), read in one statement; ends the transaction."""
    with conn.cursor() as cur:
        if tables is None:
            cur.execute(sql_file("db/table_names"))
            tables = [name for (name,) in cur.fetchall()]
        counts = ()
        if tables:
            cur.execute(
                sql.SQL("SELECT ")
                + sql.SQL(", ").join(
                    sql.SQL("(SELECT count(*) FROM {})").format(sql.Identifier(table)) for table in tables
                )
            )
            counts = cur.fetchone()
    conn.rollback()
    return dict(zip(tables, counts))


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
