"""Undo the night migration without restoring a backup.

Exactly the inverse of migrate-tasks + migrate-costs, in one transaction: the migrated operations'
timers go back to the machining task content type (their object_id never changed), then the
migrated parts' cost rows, queue rows, operations and the parts themselves are deleted. Parts made
natively (no task_key) are untouched. An operation added to a migrated part after the migration
would be lost, so rollback refuses until someone decides what to do with it."""

from engine import schema
from engine.db import content_type_id, sql_file
from engine.errors import PartcostError


def _content_types(conn) -> dict:
    return {"task_type": content_type_id(conn, "machining", "task"),
            "operation_type": content_type_id(conn, "tasks", "operation")}


def rollback_plan(conn) -> dict:
    """What a rollback would remove or move, as counts (nothing is changed)."""
    schema.require(conn, schema.MIGRATION_TABLES)
    with conn.cursor() as cur:
        cur.execute(sql_file("rollback_plan"), _content_types(conn))
        plan = dict(zip([c.name for c in cur.description], cur.fetchone()))
    conn.rollback()
    return plan


def rollback(conn) -> dict:
    """Undo the migration; returns the plan it carried out."""
    plan = rollback_plan(conn)
    if plan["added_operation"] is not None:
        raise PartcostError(
            f"operation {plan['added_operation']!r} was added to a migrated part after the migration;"
            " rollback would delete it — move or delete it first", 2)
    with conn.cursor() as cur:
        cur.execute(sql_file("rollback_migration"), _content_types(conn))
    conn.commit()
    return plan
