"""The runbook's Phase 4, step 3: the old cost rows are copied to the migrated parts.

``machining_jobcostagg`` → ``tasks_partcostagg`` and ``machining_jobcostagguser`` →
``tasks_partcostaguser``, values unchanged, in one transaction of two INSERT … SELECT statements
(whole tables joined: without nested loops, whatever the statistics), which ends by ANALYZEing the two
tables it filled, where the role may. A part that already has its cost row keeps it, and a per-user row
already there for a (part, user) is kept too (the old row is skipped); an old row whose task has no part
fails."""

from dataclasses import dataclass, field

from partcost.db import schema
from partcost.db.plans import refresh_statistics, whole_tables
from partcost.db.references import ReferenceChecks
from partcost.db.sql_files import sql_file

NO_PART = "its task has no part (run `partcost migrate-tasks` first)"


@dataclass
class CostCopy:
    """The outcome for one old cost table: rows found, rows copied (with (task key, part key) for
    the per-part table, whose rows the runbook lists) and failed (task key, user or None, reason)."""

    label: str
    target: str
    table: str
    found: int
    migrated: int = 0
    copied: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, object, str]] = field(default_factory=list)
    statistics_refreshed: bool = False  # ANALYZEd after the copy (the role may not: see README)

    @property
    def skipped(self) -> int:
        return self.found - self.migrated - len(self.failed)


def migrate_costs(conn, dry_run: bool = False) -> tuple[CostCopy, CostCopy]:
    """Copy both cost tables (or, with ``dry_run``, rehearse and roll back)."""
    schema.require(conn, schema.MIGRATION_TABLES)
    checks = ReferenceChecks(conn, schema.COST_TABLES)
    with conn.cursor() as cur:
        checks.switch_triggers_off(cur)
        cur.execute(sql_file("migration/count_job_costs"))
        job_costs, job_user_costs = cur.fetchone()
        totals = CostCopy("JobCostAgg", "PartCostAgg", schema.PART_COSTS, job_costs)
        per_user = CostCopy("JobCostAggUser", "PartCostAggUser", schema.USER_COSTS, job_user_costs)

        with whole_tables(cur):  # whole tables joined: hash or merge joins, whatever the statistics
            cur.execute(sql_file("migration/job_costs_without_part"))
            for source, task_key, user_id in cur.fetchall():
                copy = totals if source == "machining_jobcostagg" else per_user
                copy.failed.append((task_key, user_id, NO_PART))

            cur.execute(sql_file("migration/migrate_job_costs"))
            totals.copied = cur.fetchall()
            totals.migrated = len(totals.copied)
            cur.execute(sql_file("migration/migrate_job_user_costs"))
            (per_user.migrated,) = cur.fetchone()
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in schema.COST_TABLES:
            checks.check(cur, table)
    if dry_run:
        conn.rollback()
        return totals, per_user
    # The cost tables were just bulk-filled (often right after a TRUNCATE): their statistics are
    # refreshed in the same transaction, holding off autovacuum's ANALYZE, which could otherwise count
    # this transaction's rows as not there yet ("one row") just before the night's recompute.
    not_analyzed = refresh_statistics(conn, schema.COST_TABLES)
    for copy in (totals, per_user):
        copy.statistics_refreshed = copy.table not in not_analyzed
    conn.commit()
    return totals, per_user
