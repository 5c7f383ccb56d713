"""The runbook's "before you start" and Phase 1 checks, in one read-only pass.

Blockers: running timers, other sessions on the database, a layout without the old tables or
without Phase 2 (new tables, ``tasks_part.task_key``). A warning: Phase 2 still to do on a database
whose layout Django's migrations own. Also the row counts and an estimate of how
long migrate-tasks + migrate-costs + validate will take at this size."""

import time
from dataclasses import dataclass, field

from partcost.db import schema
from partcost.db.catalogue import content_type_id, missing_columns
from partcost.db.connections import one_row
from partcost.db.references import ReferenceChecks
from partcost.db.sql_files import sql_file
from partcost.migration.migrate_tasks import WRITTEN_TABLES as MIGRATED_TABLES

# Measured for 100,000 tasks with 500,000 timers on a shared 2-core machine (benchmarks/, README):
# migrate-tasks + migrate-costs + validate took 16–20 s with the foreign keys checked set-based
# (partcost.db.references), 25–27 s with Django's row triggers; rounded down to stay on the safe side.
# Used only for the estimate printed by preflight.
TASKS_PER_SECOND = {"set-based": 4500, "row triggers": 3200}
TIMERS_PER_TASK_MEASURED = 5
SHOWN_TIMERS = 5
SESSION_GRACE_SECONDS = 1.0


@dataclass
class Preflight:
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    active_timers: int = 0
    first_timers: list[tuple] = field(default_factory=list)  # (id, username, object key)
    sessions: list[tuple] = field(default_factory=list)  # (pid, user, application, client)
    counts: dict | None = None
    foreign_key_checks: str = "row triggers"  # or "set-based": how migrate-tasks will check them

    @property
    def ready(self) -> bool:
        return not self.blockers

    @property
    def estimated_seconds(self) -> float | None:
        if self.counts is None:
            return None
        work = max(self.counts["tasks"], self.counts["task_timers"] / TIMERS_PER_TASK_MEASURED)
        return work / TASKS_PER_SECOND[self.foreign_key_checks]


def preflight(
    conn, allow_active_timers: bool = False, allow_connections: bool = False, upgrade_follows: bool = False
) -> Preflight:
    """``upgrade_follows``: the caller applies Phase 2 itself next (night-run), so a database still
    without the new layout is not a blocker."""
    result = Preflight()
    _check_sessions(conn, result, allow_connections)
    old_missing = missing_columns(conn, schema.OLD_TABLES)
    if old_missing:
        result.blockers.append(
            f"the old tables are missing ({', '.join(old_missing[:4])}): is this the factory's database?"
        )
        return result
    pending = schema.pending_upgrades(conn)
    if pending and not upgrade_follows:
        names = ", ".join(name for _, name in pending)
        result.blockers.append(f"the new layout is missing ({names}): run `partcost schema upgrade`")
    if pending and schema.managed_by_django(conn):
        result.warnings.append(schema.DJANGO_OWNS_LAYOUT)  # partcost is about to add Phase 2
    _check_timers(conn, result, allow_active_timers)
    if not pending:
        result.counts = _counts(conn)
        if ReferenceChecks(conn, MIGRATED_TABLES).enabled:
            result.foreign_key_checks = "set-based"
    conn.rollback()
    return result


def _check_sessions(conn, result: Preflight, allowed: bool) -> None:
    """Other sessions, looked at again for up to a second while there are any: a client that has just
    disconnected (a pg_dump that finished, the previous command of a script) leaves its backend in
    pg_stat_activity for a moment after it is gone. When other sessions are allowed, one look is enough."""
    deadline = time.monotonic() + (0 if allowed else SESSION_GRACE_SECONDS)
    while True:
        with conn.cursor() as cur:
            cur.execute(sql_file("migration/preflight_other_sessions"))
            result.sessions = cur.fetchall()
        conn.rollback()  # pg_stat_activity is read once per transaction
        if not result.sessions or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    if result.sessions and not allowed:
        result.blockers.append(
            f"{len(result.sessions)} other session(s) connected to the database: stop the application"
            " (gunicorn, celery) or pass --allow-connections"
        )


def _check_timers(conn, result: Preflight, allowed: bool) -> None:
    with conn.cursor() as cur:
        cur.execute(sql_file("migration/preflight_active_timers"), {"shown": SHOWN_TIMERS})
        rows = cur.fetchall()
    result.active_timers = rows[0][3] if rows else 0
    result.first_timers = [row[:3] for row in rows]
    if result.active_timers and not allowed:
        result.blockers.append(
            f"{result.active_timers} timer(s) still running: ask users to stop them"
            " or pass --allow-active-timers"
        )


def _counts(conn) -> dict:
    with conn.cursor() as cur:
        return one_row(
            cur,
            sql_file("migration/migration_row_counts"),
            {"task_type": content_type_id(conn, "machining", "task")},
        )
