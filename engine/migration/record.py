"""partcost's record of which timers migrate-tasks moved (sql/migration/migration_record_create.sql).

A timer's content type and object_id alone cannot tell a timer the migration moved from one that
already pointed at operation K before it (validate's "timer pointing nowhere") or was started on
operation K since; only a record written in the same transaction as the move can, and rollback
moves back exactly the timers it lists."""

import psycopg2
from psycopg2 import sql

from partcost.db.catalogue import missing_columns
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError

RECORD_TABLE = "partcost_migrated_task"
# Stands in for the record where no partcost ever made it: every migrated part is then unrecorded.
NO_RECORD = sql.SQL("(SELECT NULL::varchar(255) AS task_key, NULL::bigint[] AS timer_ids WHERE false)")


def record_exists(conn) -> bool:
    return not missing_columns(conn, {RECORD_TABLE: ("task_key", "timer_ids")})


def ensure_record(conn, dry_run: bool = False) -> None:
    """Create the record where it is missing (CREATE on the schema is needed only then). A dry run
    gets a temporary stand-in of the same name instead, which comes first in the search path, so a
    rehearsal does all the work and still creates nothing; a real run drops any such stand-in left
    on its connection, so its record cannot land there."""
    if dry_run:
        _create(conn, sql.SQL("TEMP"))
        return
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(sql.Identifier(RECORD_TABLE)))
    conn.commit()
    if not record_exists(conn):
        try:
            _create(conn, sql.SQL(""))
        except psycopg2.errors.InsufficientPrivilege:
            conn.rollback()
            raise PartcostError(
                f"cannot create partcost's migration record ({RECORD_TABLE}): this role "
                "lacks CREATE on the schema; run migrate-tasks as the tables' owner"
            ) from None


def _create(conn, kind: sql.Composable) -> None:
    with conn.cursor() as cur:
        cur.execute(sql.SQL(sql_file("migration/migration_record_create")).format(kind=kind))
    conn.commit()


def record_source(conn) -> sql.Composable:
    """The record for a query's ``{record}``: the table, or an empty stand-in when it does not exist."""
    return sql.Identifier(RECORD_TABLE) if record_exists(conn) else NO_RECORD
