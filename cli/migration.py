"""The night migration, stage by stage, as the runbook names them: preflight, backup/restore,
migrate-tasks, migrate-costs, validate, rollback, status. Each command parses its options, calls
one ``engine`` function and prints the runbook's messages; exit 0 ok, 1 finished with failures,
2 could not start."""

import json
from pathlib import Path

import click

from partcost.cli.app import finish, partcost, pass_session
from partcost.cli.progress import progress
from partcost.db.connections import connection
from partcost.errors import ExitStatus
from partcost.migration import backup as backups
from partcost.migration.migrate_costs import migrate_costs as copy_costs
from partcost.migration.migrate_tasks import DEFAULT_BATCH_SIZE, count_tasks
from partcost.migration.migrate_tasks import migrate_tasks as run_migration
from partcost.migration.preflight import SHOWN_TIMERS
from partcost.migration.preflight import preflight as run_preflight
from partcost.migration.rollback import rollback as run_rollback
from partcost.migration.rollback import rollback_plan
from partcost.migration.status import status as read_status
from partcost.migration.validate import CheckStatus
from partcost.migration.validate import validate as run_validation

RULE = "=" * 60
CHECK_MARKS = {CheckStatus.OK: "✓", CheckStatus.FAILED: "✗", CheckStatus.WARNING: "⚠"}


# -- before the migration -----------------------------------------------------------------------


@partcost.command()
@click.option("--allow-active-timers", is_flag=True, help="Do not count running timers as a blocker.")
@click.option("--allow-connections", is_flag=True, help="Do not count other sessions as a blocker.")
@pass_session
def preflight(session, allow_active_timers, allow_connections):
    """Is the database ready for tonight? Exit 0 ready, 2 not (each blocker on its own line).

    Example:

    \b
        partcost preflight
        partcost preflight --allow-connections"""
    with connection(session.dsn, "partcost preflight") as conn:
        result = run_preflight(conn, allow_active_timers, allow_connections)
    click.echo(f"Active timers: {result.active_timers}")
    for timer_id, username, key in result.first_timers:
        click.echo(f"  timer {timer_id}: {username} on {key}")
    if result.active_timers > SHOWN_TIMERS:
        click.echo(f"  … and {result.active_timers - SHOWN_TIMERS} more")
    click.echo(f"Other sessions on the database: {len(result.sessions)}")
    for pid, user, application, client in result.sessions[:SHOWN_TIMERS]:
        click.echo(f"  pid {pid}: {user} ({application}) from {client}")
    if result.counts:
        counts = result.counts
        click.echo(
            f"Tasks: {counts['tasks']}, timers on tasks: {counts['task_timers']}, "
            f"JobCostAgg: {counts['job_costs']}, JobCostAggUser: {counts['job_user_costs']}, "
            f"parts: {counts['parts']}, operations: {counts['operations']}"
        )
        click.echo(
            f"Estimated time for migrate-tasks + migrate-costs + validate: "
            f"about {max(1, round(result.estimated_seconds))} s (foreign keys checked {result.foreign_key_checks})"
        )
    for blocker in result.blockers:
        click.echo(f"✗ {blocker}")
    for warning in result.warnings:
        click.echo(f"⚠ {warning}")
    click.echo("READY for the migration" if result.ready else "NOT READY for the migration")
    finish(ExitStatus.OK if result.ready else ExitStatus.COULD_NOT_START)


@partcost.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory for the dump file.",
)
@pass_session
def backup(session, out_dir):
    """pg_dump -Fc the database to backup_migration_YYYYMMDD_HHMMSS.dump and verify it.

    Example:

    \b
        partcost backup --out /backups"""
    path, entries = backups.backup(session.dsn, out_dir)
    click.echo(f"Backup written: {path} ({_size(path.stat().st_size)})")
    click.echo(f"Verified: pg_restore --list reads {entries} entries")


@partcost.command()
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Really replace the database's contents with the backup.")
@pass_session
def restore(session, backup_file, yes):
    """The runbook's rollback plan: restore a `partcost backup` file (needs --yes).

    Example:

    \b
        partcost restore /backups/backup_migration_20240301_220000.dump --yes"""
    if not yes:
        click.echo(
            f"restore would replace every table in the database with {backup_file}; add --yes to do it",
            err=True,
        )
        finish(ExitStatus.COULD_NOT_START)
    backups.restore(session.dsn, backup_file)
    click.echo(f"Restored {backup_file}")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    scaled = size / 1024
    for unit in ("kB", "MB"):
        if scaled < 1024:
            return f"{scaled:.1f} {unit}"
        scaled /= 1024
    return f"{scaled:.1f} GB"


# -- the migration itself -------------------------------------------------------------------------


@partcost.command("migrate-tasks")
@click.option("--dry-run", is_flag=True, help="Show what would migrate; change nothing.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N tasks (in key order).")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Tasks per transaction.",
)
@click.option("-v", "--verbose", is_flag=True, help="One line per migrated task.")
@pass_session
def migrate_tasks(session, dry_run, limit, batch_size, verbose):
    """Machining tasks → parts + operations; their timers move to the operations.

    Example:

    \b
        partcost migrate-tasks --dry-run --limit 10
        partcost migrate-tasks --batch-size 25000"""
    totals = {"migrated": 0, "skipped": 0, "failed": 0}
    with connection(session.dsn, "partcost migrate-tasks") as conn:
        total = count_tasks(conn, limit)
        click.echo(f"Found {total} tasks to migrate")
        line = "Progress: {migrated}/{total} migrated, {skipped} skipped..."
        with progress(total, line, every=1, label="Migrating") as advance:
            for batch in run_migration(conn, batch_size, limit, dry_run):
                _echo_batch(batch, dry_run, verbose)
                totals["migrated"] += len(batch.migrated)
                totals["skipped"] += batch.skipped
                totals["failed"] += len(batch.failed)
                advance(sum(totals.values()), **totals)
    click.echo("")
    click.echo("[DRY RUN] MIGRATION COMPLETE (nothing was changed)" if dry_run else "MIGRATION COMPLETE")
    click.echo(f"Total tasks: {total}")
    click.echo(f"Migrated:    {totals['migrated']}")
    click.echo(f"Skipped:     {totals['skipped']}")
    click.echo(f"Failed:      {totals['failed']}")
    finish(ExitStatus.FAILED if totals["failed"] else ExitStatus.OK)


def _echo_batch(batch, dry_run: bool, verbose: bool) -> None:
    if dry_run or verbose:
        verb = "[DRY RUN] Would migrate" if dry_run else "✓ Migrated"
        for key in batch.migrated:
            click.echo(f"{verb} {key} → Part: PT-{key}, Operation: {key}")
    for key, reason in batch.failed:
        click.echo(f"✗ Failed {key}: {reason}")


@partcost.command("migrate-costs")
@click.option("--dry-run", is_flag=True, help="Show what would be copied; change nothing.")
@click.option("-v", "--verbose", is_flag=True, help="One line per copied JobCostAgg row.")
@pass_session
def migrate_costs(session, dry_run, verbose):
    """JobCostAgg → PartCostAgg and JobCostAggUser → PartCostAggUser for migrated tasks.

    Example:

    \b
        partcost migrate-costs --dry-run
        partcost migrate-costs"""
    with connection(session.dsn, "partcost migrate-costs") as conn:
        copies = copy_costs(conn, dry_run)
    for copy in copies:
        click.echo(f"Migrating {copy.label} → {copy.target}...")
        click.echo(f"Found {copy.found} {copy.label} records")
        if verbose:
            for task_key, part_key in copy.copied:
                click.echo(f"✓ Migrated cost for {task_key} → {part_key}")
        for task_key, user_id, reason in copy.failed:
            who = f" (user {user_id})" if user_id is not None else ""
            click.echo(f"✗ Failed cost for {task_key}{who}: {reason}")
        prefix = "[DRY RUN] " if dry_run else ""
        click.echo(
            f"{prefix}{copy.label}: Migrated {copy.migrated}, Skipped {copy.skipped}, "
            f"Failed {len(copy.failed)}"
        )
        click.echo("")
    not_analyzed = [copy.table for copy in copies if not copy.statistics_refreshed]
    if not dry_run and not_analyzed:
        click.echo(
            f"Note: planner statistics of {', '.join(not_analyzed)} not refreshed: this role may not"
            " ANALYZE them (GRANT MAINTAIN, PostgreSQL 17+, or ANALYZE them as their owner); partcost"
            " does not depend on them, the application's queries may"
        )
    finish(ExitStatus.FAILED if any(copy.failed for copy in copies) else ExitStatus.OK)


# -- after the migration --------------------------------------------------------------------------


@partcost.command()
@click.option("--json", "as_json", is_flag=True, help="Print the facts as one JSON object.")
@pass_session
def validate(session, as_json):
    """The runbook's Phase 5 checks and more. Exit 0 passed, 1 failed.

    Example:

    \b
        partcost validate
        partcost validate --json > validation.json"""
    with connection(session.dsn, "partcost validate") as conn:
        report = run_validation(conn)
    if as_json:
        click.echo(json_text(report.as_dict()))
    else:
        _echo_report(report)
    finish(ExitStatus.OK if report.passed else ExitStatus.FAILED)


def json_text(document: dict) -> str:
    """validate's --json output (partcost.django adds the app checks to the same document)."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def _echo_report(report) -> None:
    click.echo(RULE)
    click.echo("MIGRATION VALIDATION")
    click.echo(RULE)
    for outcome in report.outcomes:
        click.echo("")
        click.echo(f"{outcome.number}. {outcome.check.title}")
        width = max((len(label) for label, _ in outcome.check.shown), default=0) + 1
        for label, column in outcome.check.shown:
            click.echo(f"   {label + ':':<{width}} {outcome.counts[column]}")
        mark = CHECK_MARKS[outcome.status]
        click.echo(f"   {mark} {outcome.message}")
    click.echo("")
    click.echo(RULE)
    click.echo("VALIDATION PASSED" if report.passed else "VALIDATION FAILED")
    for error in report.errors:
        click.echo(f"  ✗ {error}")
    for warning in report.warnings:
        click.echo(f"  ⚠ {warning}")
    click.echo(RULE)


@partcost.command()
@click.option("--yes", is_flag=True, help="Really undo the migration (otherwise only show the plan).")
@pass_session
def rollback(session, yes):
    """Undo migrate-tasks and migrate-costs without a backup (native parts untouched).

    Without --yes it only shows what it would undo.

    Example:

    \b
        partcost rollback
        partcost rollback --yes"""
    with connection(session.dsn, "partcost rollback") as conn:
        plan = run_rollback(conn) if yes else rollback_plan(conn)
    move, delete = ("Moved", "Deleted") if yes else ("Would move", "Would delete")
    click.echo(f"{move} {plan['timers']} timer(s) back to their machining tasks")
    if plan["unmoved_timers"]:
        click.echo(
            f"Leaving {plan['unmoved_timers']} timer(s) on migrated operations as they are: "
            "the migration did not move them"
        )
    click.echo(
        f"{delete} {plan['part_costs']} PartCostAgg and {plan['part_user_costs']} "
        f"PartCostAggUser row(s), {plan['queued']} queued recompute(s)"
    )
    click.echo(f"{delete} {plan['operations']} operation(s) and {plan['parts']} migrated part(s)")
    click.echo("ROLLBACK COMPLETE" if yes else "Nothing changed; add --yes to roll back.")


@partcost.command()
@pass_session
def status(session):
    """Parts, operations, cost rows, queue length, active timers and database size.

    Example:

    \b
        partcost status"""
    with connection(session.dsn, "partcost status") as conn:
        counts = read_status(conn)
    click.echo(f"Parts:           {counts['parts']} ({counts['migrated_parts']} migrated)")
    click.echo(f"Operations:      {counts['operations']}")
    click.echo(f"PartCostAgg:     {counts['part_costs']}")
    click.echo(f"PartCostAggUser: {counts['part_user_costs']}")
    click.echo(f"Recompute queue: {counts['queued']}")
    click.echo(f"Active timers:   {counts['active_timers']}")
    click.echo(f"Database size:   {counts['database_size']}")
