"""Undo the night migration without restoring a backup.

Exactly the inverse of migrate-tasks + migrate-costs, in one transaction: the timers the migration
recorded as moved go back to the machining task content type (their object_id never changed), then
the migrated parts' cost rows, queue rows, operations and the parts themselves are deleted. Parts
made natively (no task_key) are untouched, and so is every timer the migration did not move.
Rollback refuses, changing nothing, where it could not be exact: an operation added to a migrated
part since would be lost, and a part migrated without partcost's record (an older partcost, another
tool) gives no way to tell the timers its migration moved from those that were there before."""

from psycopg2 import sql

from partcost.commands import command
from partcost.db import schema
from partcost.db.catalogue import content_type_id
from partcost.db.connections import one_row
from partcost.db.plans import whole_tables
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError
from partcost.migration.record import record_source


def _content_types(conn) -> dict:
    return {
        "task_type": content_type_id(conn, "machining", "task"),
        "operation_type": content_type_id(conn, "tasks", "operation"),
    }


def rollback_plan(conn) -> dict:
    """What a rollback would remove or move, as counts (nothing is changed)."""
    schema.require(conn, schema.MIGRATION_TABLES)
    query = sql.SQL(sql_file("migration/rollback_plan")).format(record=record_source(conn))
    with conn.cursor() as cur, whole_tables(cur):  # every count joins whole tables: no nested loops
        plan = one_row(cur, query, _content_types(conn))
    conn.rollback()
    return plan


def rollback(conn) -> dict:
    """Undo the migration; returns the plan it carried out."""
    plan = rollback_plan(conn)
    _refuse_if_inexact(plan)
    if plan["parts"] == 0:
        return plan
    with conn.cursor() as cur, whole_tables(cur):  # every statement joins whole tables: no nested loops
        cur.execute(sql_file("migration/rollback_migration"), _content_types(conn))
    conn.commit()
    return plan


def _refuse_if_inexact(plan: dict) -> None:
    if plan["unrecorded_parts"]:
        raise PartcostError(
            f"{plan['unrecorded_parts']} migrated part(s) (first: {plan['first_unrecorded']!r}) have no record"
            " of the timers their migration moved (migrated by an older partcost or another tool);"
            " rollback cannot tell them from timers that were on the operation before — restore the"
            f" backup instead (`{command('restore FILE --yes')}`)"
        )
    if plan["added_operation"] is not None:
        raise PartcostError(
            f"operation {plan['added_operation']!r} was added to a migrated part after the migration;"
            " rollback would delete it — move or delete it first"
        )
