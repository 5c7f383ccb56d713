"""Foreign keys checked set-based, once per transaction, instead of row by row.

Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: every row written queues a trigger that, at
COMMIT, looks the referenced row up and locks it FOR KEY SHARE, one row at a time. For the night's
bulk writes (hundreds of thousands of rows) that was measured at a fifth to a third of migrate-tasks
and about half of migrate-costs.

When the role may switch those triggers off for a transaction (a superuser, or one granted SET on
``session_replication_role``, SELECT on the referenced columns and UPDATE on any one column of
each referenced table, which is all FOR KEY SHARE asks) and the tables written have no triggers,
rules or internal triggers other than their foreign keys' (a DEFERRABLE unique, primary-key or
exclusion constraint's recheck would be switched off too), partcost does so (``SET LOCAL
session_replication_role = replica``, gone at COMMIT or ROLLBACK) and does the same work itself before
committing: for every foreign key of every table written, the distinct references of the rows this
transaction wrote are locked FOR KEY SHARE in one statement, and a reference to no row refuses the
transaction, naming it, where the trigger would have refused it.
For any other role the triggers run as usual and ``check`` does nothing."""

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg2 import sql

from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError

FIRST_SERVER_WITH_XACT_ID = 130000  # pg_current_xact_id()
FIRST_SERVER_WITH_PARAMETER_GRANTS = 150000  # GRANT SET ON PARAMETER, has_parameter_privilege()


class MissingReference(PartcostError):
    """Rows this transaction wrote refer to rows that do not exist (the foreign key's own refusal)."""


@dataclass(frozen=True)
class ForeignKey:
    table: str
    schema: str
    name: str
    columns: tuple
    ref_table: str
    ref_schema: str
    ref_columns: tuple
    may_lock: bool = True

    def check_statement(self, rows: sql.Composable | None = None) -> sql.Composed:
        names = lambda columns: sql.SQL(", ").join(map(sql.Identifier, columns))
        return sql.SQL(sql_file("db/missing_references")).format(
            columns=names(self.columns),
            rows=rows if rows is not None else sql.Identifier(self.schema, self.table),
            not_null=sql.SQL(" AND ").join(
                sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in self.columns
            ),
            match=sql.SQL(" AND ").join(
                sql.SQL("referenced.{} = needed.{}").format(sql.Identifier(ref), sql.Identifier(own))
                for ref, own in zip(self.ref_columns, self.columns)
            ),
            ref_table=sql.Identifier(self.ref_schema, self.ref_table),
        )

    def refusal(self, missing: list[tuple]) -> str:
        values = "; ".join(", ".join(map(repr, row)) for row in missing)
        return (
            f"{self.table}.{', '.join(self.columns)} = {values}: no such row in {self.ref_table} "
            f"(foreign key {self.name})"
        )


class ReferenceChecks:
    """For one connection and the tables its transactions write: whether the foreign-key triggers are
    replaced (``enabled``), and the set-based checks that replace them."""

    def __init__(self, conn, tables: Sequence[str], deletes_from: Sequence[str] = ()):
        """Reads the catalogue in the connection's current transaction (tables that do not exist are
        left out)."""
        with conn.cursor() as cur:
            self.enabled = _may_switch_triggers_off(conn, cur) and _only_foreign_key_triggers(
                cur, tables, deletes_from
            )
            self.foreign_keys = _foreign_keys(cur, tables) if self.enabled else {}
        if not all(key.may_lock for keys in self.foreign_keys.values() for key in keys):
            self.enabled, self.foreign_keys = False, {}

    def switch_triggers_off(self, cur) -> None:
        """For the rest of this transaction (rows written before keep their triggers)."""
        if self.enabled:
            cur.execute("SET LOCAL session_replication_role = replica")

    def check(
        self, cur, table: str, columns: Sequence[str] | None = None, rows: sql.Composable | None = None
    ) -> None:
        """Check (and lock) what the rows this transaction wrote into ``table`` refer to; ``columns``:
        only the keys on these columns (those an UPDATE changed — the triggers skip the others);
        ``rows``: a FROM item yielding every row this transaction wrote there (and maybe others) with
        its columns and ``xmin`` (see ``rows_by_tid``); without it, finding them takes a scan of the
        whole table."""
        for key in self.foreign_keys.get(table, []):
            if columns is None or set(key.columns) & set(columns):
                cur.execute(key.check_statement(rows))
                missing = cur.fetchall()
                if missing:
                    raise MissingReference(key.refusal(missing))


def rows_by_tid(table: str, condition: sql.Composable, one: bool = False) -> sql.Composed:
    """``check``'s ``rows`` for the rows of ``table`` an index finds by ``condition``: their tuple ids
    first, then each row fetched by its id. However wrong the planner's statistics (a table just
    filled), this stays one lookup per row: no plan can turn it into a scan of the table per row or
    per key, as joins and ``= ANY`` filters did. ``one``: only the first row this transaction wrote —
    enough when ``condition`` fixes the value of every key column checked."""
    first = sql.SQL(" AND xmin = pg_current_xact_id()::xid LIMIT 1") if one else sql.SQL("")
    return sql.SQL(
        "unnest(ARRAY(SELECT ctid FROM {table} WHERE {condition}{first})) AS written (tid) "
        "CROSS JOIN LATERAL (SELECT row.xmin AS xmin, row.* FROM {table} AS row "
        "WHERE row.ctid = written.tid OFFSET 0) AS {alias}"
    ).format(table=sql.Identifier(table), condition=condition, first=first, alias=sql.Identifier(table))


def _may_switch_triggers_off(conn, cur) -> bool:
    if conn.server_version < FIRST_SERVER_WITH_XACT_ID:
        return False
    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cur.fetchone()[0]:
        return True
    if conn.server_version < FIRST_SERVER_WITH_PARAMETER_GRANTS:
        return False
    cur.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    return cur.fetchone()[0]


def _only_foreign_key_triggers(cur, tables: Sequence[str], deletes_from: Sequence[str]) -> bool:
    cur.execute(
        sql_file("db/row_triggers_replaceable"), {"tables": list(tables), "deletes_from": list(deletes_from)}
    )
    return cur.fetchone()[0]


def _foreign_keys(cur, tables: Sequence[str]) -> dict[str, list[ForeignKey]]:
    cur.execute(sql_file("db/foreign_keys_of"), {"tables": list(tables)})
    keys: dict[str, list[ForeignKey]] = {}
    for table, schema, name, columns, ref_table, ref_schema, ref_columns, may_lock in cur.fetchall():
        keys.setdefault(table, []).append(
            ForeignKey(
                table, schema, name, tuple(columns), ref_table, ref_schema, tuple(ref_columns), may_lock
            )
        )
    return keys
