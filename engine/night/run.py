"""``partcost night-run``: the runbook's phases as one command that stops safely at the first problem.

preflight → backup → schema upgrade → migrate-tasks dry run (confirmed) → migrate-tasks →
migrate-costs → validate → recompute → drift. Each phase calls the stage's own function in
``partcost`` and returns one line saying what it did; a phase that finds its work already done says
so and does nothing (recompute always runs: its fingerprints skip what did not change), which is
what makes a second run after a fix (or an interrupted recompute) carry on where the first stopped.
The first failing phase raises :class:`PhaseFailed` with why and what to do next; the run's record
(:class:`NightRun`) then feeds the checklist and the reports."""

import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import psycopg2

from partcost.commands import command
from partcost.db import schema
from partcost.db.beside import Beside
from partcost.db.connections import connection, database_error_message
from partcost.enums import TextEnum
from partcost.errors import ExitStatus, PartcostError
from partcost.migration import backup as backups
from partcost.migration.migrate_costs import migrate_costs
from partcost.migration.migrate_tasks import Keys, middle_key, migrate_tasks, refresh_written_statistics
from partcost.migration.preflight import preflight
from partcost.migration.validate import COSTS_QUERY, CheckStatus, Report, validate
from partcost.night.drift import Drift, drift
from partcost.recompute import ledger
from partcost.recompute.ledger import RunStatus
from partcost.recompute.run import DEFAULT_STOP_FILE, LazyPool, Summary, check_workers, recompute_all
from partcost.recompute.split import WorkCalendar
from partcost.server.dsn import mask_secrets

NAME = "partcost night-run"  # the application_name of its connections
SHOWN_FAILURES = 10
MIGRATION_UNDERWAY = ("migrate-tasks", "migrate-costs", "validate", "recompute", "drift")


@dataclass
class AppCheck:
    """One of the runbook's application checks, measured through the application's own code:
    ``item`` is the Success Criteria line it is evidence for."""

    item: str
    passed: bool
    evidence: str

    def line(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.item}: {self.evidence}"


class Host(Protocol):
    """The application partcost runs inside (``partcost.django``): it owns the layout (Phase 2 is its
    own migrations) and can check itself. The standalone CLI has none."""

    def require_layout(self) -> str:
        """One line saying the application's migrations are applied, or a ``PartcostError`` naming
        the command that applies them."""
        ...

    def app_checks(self) -> list[AppCheck]: ...


@dataclass
class Options:
    workers: int = os.cpu_count() or 1
    backup_dir: Path | None = Path(".")  # None: --skip-backup
    accept_failed_tasks: bool = False
    allow_active_timers: bool = False
    allow_connections: bool = False
    stop_file: Path = Path(DEFAULT_STOP_FILE)
    calendar: WorkCalendar = field(default_factory=WorkCalendar.parse)
    host: Host | None = None


class PhaseStatus(TextEnum):
    DONE = "done"
    NOTHING_TO_DO = "nothing to do"  # its work was done already (a re-run)
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class Phase:
    name: str
    status: PhaseStatus
    summary: str
    seconds: float


class PhaseFailed(PartcostError):
    """A phase could not finish: ``why`` it stopped and ``next_step`` for the operator."""

    def __init__(self, why: str, next_step: str, exit_code: ExitStatus = ExitStatus.FAILED):
        super().__init__(why, exit_code)
        self.why, self.next_step = why, next_step


@dataclass
class TaskCounts:
    """migrate-tasks' outcome, summed over its batches."""

    migrated: int = 0
    failed: list = field(default_factory=list)  # [(task key, reason)]
    skipped: int = 0

    def plus(self, other: "TaskCounts") -> "TaskCounts":
        return TaskCounts(
            self.migrated + other.migrated, self.failed + other.failed, self.skipped + other.skipped
        )


@dataclass
class NightRun:
    """Everything the phases measured, in the order they measured it."""

    dsn: str
    options: Options
    phases: list[Phase] = field(default_factory=list)
    backup: Path | None = None
    dry_run: TaskCounts = field(default_factory=TaskCounts)  # what would migrate
    tasks_migrated: int = 0
    failed_tasks: list = field(default_factory=list)  # [(task key, reason)]
    cost_rows_copied: int = 0
    cost_failures: list = field(default_factory=list)  # [(task key, user or None, reason)]
    validation: Report | None = None
    superseded_checks: list[str] = field(default_factory=list)
    recompute: Summary | None = None
    recompute_run: ledger.Run | None = None
    workers: LazyPool | None = None  # the recompute's, started once migrate-tasks has work
    beside: ExitStack = field(default_factory=ExitStack)  # work on other connections, left with the night
    analyzing: Beside | None = None  # migrate-tasks' ANALYZE, beside migrate-costs
    drift: Drift | None = None
    app_checks: list[AppCheck] | None = None
    failure: PhaseFailed | None = None
    failed_phase: str | None = None

    @property
    def exit_code(self) -> ExitStatus:
        return self.failure.exit_code if self.failure else ExitStatus.OK

    def undo_hint(self) -> str:
        return f"`{command('rollback --yes')}` or {self.restore_hint()}"

    def restore_hint(self) -> str:
        if self.backup:
            return f"`{command(f'restore {self.backup} --yes')}` (the backup this run made)"
        return f"`{command('restore <your backup> --yes')}`"


def investigate() -> str:
    return f"investigate the message above, fix the cause and run `{command('night-run')}` again"


Say = Callable[[str], None]
Confirm = Callable[[str], bool]


def phases(options: Options):
    """The phases in the runbook's order, as (name, function(night, say, confirm) -> (status, summary));
    inside an application, its own checks come last."""
    app_checks = [("app checks", _app_checks)] if options.host else []
    return [
        ("preflight", _preflight),
        ("backup", _backup),
        ("schema upgrade", _schema_upgrade),
        ("dry run", _dry_run),
        ("migrate-tasks", _migrate_tasks),
        ("migrate-costs", _migrate_costs),
        ("validate", _validate),
        ("recompute", _recompute),
        ("drift", _drift),
        *app_checks,
    ]


def night_run(
    dsn: str,
    options: Options,
    confirm: Confirm,
    say: Say = lambda line: None,
    on_phase: Callable[[Phase], None] = lambda phase: None,
) -> NightRun:
    """Run every phase until one fails; the returned record says how far it got and why."""
    check_workers(options.workers)
    night = NightRun(dsn, options)
    with LazyPool(dsn, options.calendar, options.workers) as night.workers, night.beside:
        for name, run in phases(options):
            started = time.perf_counter()
            try:
                status, summary = run(night, say, confirm)
            except (PartcostError, psycopg2.Error) as error:
                failure = _as_phase_failure(error, night, name)
                night.failure, night.failed_phase = failure, name
                status = (
                    PhaseStatus.CANCELLED if failure.exit_code == ExitStatus.CANCELLED else PhaseStatus.FAILED
                )
                summary = failure.why
            night.phases.append(Phase(name, status, summary, time.perf_counter() - started))
            on_phase(night.phases[-1])
            if night.failure:
                break
    return night


def _as_phase_failure(error: Exception, night: NightRun, phase: str) -> PhaseFailed:
    """An unforeseen error of a stage (a PartcostError or the database's) as a phase failure; once
    the migration may have changed something, the way back is named too."""
    if isinstance(error, PhaseFailed):
        return error
    why = error.message if isinstance(error, PartcostError) else database_error_message(error, night.dsn)
    next_step = investigate()
    if phase in MIGRATION_UNDERWAY:
        next_step += f"; to undo the migration: {night.undo_hint()}"
    return PhaseFailed(mask_secrets(why, night.dsn), next_step)


# -- the phases -----------------------------------------------------------------------------------


def _preflight(night: NightRun, say: Say, confirm: Confirm):
    with connection(night.dsn, NAME) as conn:
        result = preflight(
            conn,
            night.options.allow_active_timers,
            night.options.allow_connections,
            upgrade_follows=night.options.host is None,
        )
    if not result.ready:
        raise PhaseFailed(
            "; ".join(result.blockers),
            f"fix the blockers and run `{command('night-run')}` again",
            ExitStatus.COULD_NOT_START,
        )
    return PhaseStatus.DONE, (
        f"ready: {result.active_timers} active timer(s), {len(result.sessions)} other session(s)"
    )


def _backup(night: NightRun, say: Say, confirm: Confirm):
    """A fresh dump before the migration starts; once it has started, the newest earlier dump in the
    backup directory is the one that holds the state before it, so a re-run keeps that one."""
    backup_dir = night.options.backup_dir
    if backup_dir is None:
        return PhaseStatus.SKIPPED, "skipped (--skip-backup): make sure you have your own backup"
    started = _migration_started(night.dsn)
    earlier = backups.newest_backup(Path(backup_dir))
    if started and earlier:
        night.backup = earlier
        entries = backups.verify(night.backup, night.dsn)
        return PhaseStatus.NOTHING_TO_DO, (
            f"the migration has already started: keeping the earlier backup "
            f"{night.backup} ({entries} entries, verified)"
        )
    night.backup, entries = backups.backup(night.dsn, Path(backup_dir))
    summary = f"{night.backup} written and verified ({entries} entries)"
    if started:
        summary += (
            "; note: the migration had already started and no earlier backup is in "
            f"{backup_dir}, so this one is of the partly migrated database"
        )
    return PhaseStatus.DONE, summary


def _migration_started(dsn: str) -> bool:
    with connection(dsn, NAME) as conn:
        if schema.pending_upgrades(conn):
            return False
        with conn.cursor() as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM tasks_part WHERE task_key IS NOT NULL)")
            return cur.fetchone()[0]


def _schema_upgrade(night: NightRun, say: Say, confirm: Confirm):
    """Phase 2. Inside an application its own migrations make the layout, never partcost."""
    if night.options.host is not None:
        return PhaseStatus.NOTHING_TO_DO, night.options.host.require_layout()
    with connection(night.dsn, NAME) as conn:
        added = schema.upgrade(conn)
        note = schema.django_note(conn, added)
    if not added:
        return PhaseStatus.NOTHING_TO_DO, "the new layout is already in place"
    if note:
        say(f"Note: {note}")
    return PhaseStatus.DONE, "added " + ", ".join(name for _, name in added)


def _dry_run(night: NightRun, say: Say, confirm: Confirm):
    night.dry_run = tasks = _rehearse(night.dsn)
    summary = (
        f"{tasks.migrated + len(tasks.failed) + tasks.skipped:,} tasks: {tasks.migrated:,} would migrate, "
        f"{tasks.skipped:,} already migrated, {len(tasks.failed):,} would fail"
    )
    say(summary)
    _say_failures(say, tasks.failed, "would fail")
    if tasks.migrated and not confirm(summary):
        raise PhaseFailed(
            "not confirmed: nothing was migrated",
            f"run `{command('night-run')}` again when you are ready (or with --yes)",
        )
    return PhaseStatus.DONE, summary


def _migrate_tasks(night: NightRun, say: Say, confirm: Confirm):
    if not night.dry_run.migrated:
        tasks, status = night.dry_run, PhaseStatus.NOTHING_TO_DO
    else:
        if night.workers:  # the recompute will have work: its workers import while the migration runs
            night.workers.start()
        tasks, status = _run_migrate_tasks(night.dsn, say), PhaseStatus.DONE
        night.analyzing = night.beside.enter_context(
            Beside(night.dsn, NAME, lambda conn, stopped: refresh_written_statistics(conn))
        )
    night.tasks_migrated, night.failed_tasks = tasks.migrated, tasks.failed
    failed = tasks.failed
    summary = (
        f"{tasks.migrated:,} migrated, {tasks.skipped:,} skipped (already migrated), {len(failed):,} failed"
    )
    _say_failures(say, failed, "failed")
    if failed and not night.options.accept_failed_tasks:
        first = ", ".join(f"{key!r} ({reason})" for key, reason in failed[:3])
        raise PhaseFailed(
            f"{len(failed)} task(s) could not migrate: {first}",
            f"fix those tasks and run `{command('night-run')}` again (what migrated stays "
            f"migrated), or go on without them with --accept-failed-tasks; to undo: "
            f"{night.undo_hint()}",
        )
    if failed:
        summary += " (accepted with --accept-failed-tasks)"
    return status, summary


def _rehearse(dsn: str) -> TaskCounts:
    """The dry run, its two halves of the tasks side by side on two connections (``Beside``): each
    rehearsal is one statement at a time, and the server has a core for each (one after the other
    when a connection limit leaves no second connection). Rolled back, the halves see none of each
    other's rows — a conflict between tasks of different halves shows only in the real run, as one
    between different batches of a dry run does."""
    with connection(dsn, NAME) as conn:
        middle = middle_key(conn)
        if middle is None:
            return _tally(migrate_tasks(conn, dry_run=True))

        def upper_half(on, stopped=lambda: False) -> TaskCounts:
            return _tally(migrate_tasks(on, dry_run=True, keys=Keys(after=middle), stopped=stopped))

        with Beside(dsn, NAME, upper_half) as upper:
            lower = _tally(migrate_tasks(conn, dry_run=True, keys=Keys(until=middle)))
        return lower.plus(upper.result(otherwise=lambda: upper_half(conn)))


def _run_migrate_tasks(dsn: str, say: Say) -> TaskCounts:
    """The migration, its tables analyzed afterwards beside migrate-costs."""
    with connection(dsn, NAME) as conn:
        return _tally(migrate_tasks(conn, analyze=False), say)


def _tally(batches, say: Say | None = None) -> TaskCounts:
    """The batches' outcomes summed, with a progress line after each when ``say`` is given."""
    tasks = TaskCounts()
    for batch in batches:
        tasks.migrated += len(batch.migrated)
        tasks.failed += batch.failed
        tasks.skipped += batch.skipped
        if say:
            say(
                f"Progress: {tasks.migrated:,} migrated, {tasks.skipped:,} skipped, "
                f"{len(tasks.failed):,} failed..."
            )
    return tasks


def _say_failures(say: Say, failed: list, verb: str) -> None:
    for key, reason in failed[:SHOWN_FAILURES]:
        say(f"✗ {key!r} {verb}: {reason}")
    if len(failed) > SHOWN_FAILURES:
        say(f"… and {len(failed) - SHOWN_FAILURES} more")


def _migrate_costs(night: NightRun, say: Say, confirm: Confirm):
    """Copies the old cost rows; once a recompute has replaced them (a re-run) copying them again
    would only resurrect rows the recompute removed, so then there is nothing to do. The tables
    migrate-tasks wrote are analyzed meanwhile on another connection; the phase ends when both have."""
    status, summary = _copy_costs(night)
    if night.analyzing:
        night.analyzing.result(otherwise=lambda: _refresh_written_statistics(night.dsn))
    return status, summary


def _refresh_written_statistics(dsn: str) -> None:
    with connection(dsn, NAME) as conn:
        refresh_written_statistics(conn)


def _copy_costs(night: NightRun):
    night.recompute_run = _last_recompute(night.dsn)
    if night.recompute_run and not night.tasks_migrated:
        return PhaseStatus.NOTHING_TO_DO, (
            f"already copied and since replaced by recompute run "
            f"{night.recompute_run.id} ({night.recompute_run.status})"
        )
    with connection(night.dsn, NAME) as conn:
        copies = migrate_costs(conn)
    night.cost_rows_copied = sum(copy.migrated for copy in copies)
    accepted = {key for key, _ in night.failed_tasks}
    night.cost_failures = [f for copy in copies for f in copy.failed]
    unexpected = [(key, user, reason) for key, user, reason in night.cost_failures if key not in accepted]
    summary = "; ".join(
        f"{c.label}: {c.found:,} found, {c.migrated:,} copied, {c.skipped:,} skipped, "
        f"{len(c.failed):,} failed"
        for c in copies
    )
    if unexpected:
        key, user, reason = unexpected[0]
        raise PhaseFailed(
            f"{len(unexpected)} old cost row(s) could not be copied: {key!r}: {reason}",
            f"{investigate()}; to undo: {night.undo_hint()}",
        )
    return PhaseStatus.DONE, summary


def _last_recompute(dsn: str) -> ledger.Run | None:
    with connection(dsn, NAME) as conn:
        return ledger.last_run(conn)


def _validate(night: NightRun, say: Say, confirm: Confirm):
    """The validate command's checks. Once a recompute has replaced the copied cost rows, the checks
    that compare them with the old ones no longer apply: the drift report compares them instead."""
    with connection(night.dsn, NAME) as conn:
        report = validate(conn, excluded_tasks=[key for key, _ in night.failed_tasks])
    night.validation = report
    if night.recompute_run:
        night.superseded_checks = [
            o.check.title
            for o in report.outcomes
            if o.check.query == COSTS_QUERY and o.status == CheckStatus.FAILED
        ]
    errors = [
        o.message
        for o in report.outcomes
        if o.status == CheckStatus.FAILED and o.check.title not in night.superseded_checks
    ]
    for outcome in report.outcomes:
        mark = "superseded" if outcome.check.title in night.superseded_checks else outcome.status
        say(f"{outcome.number:>2}. [{mark}] {outcome.message}")
    if errors:
        raise PhaseFailed(
            "VALIDATION FAILED: " + "; ".join(errors),
            f"investigate (`{command('validate')}`), then {night.undo_hint()}",
        )
    passed = f"VALIDATION PASSED ({len(report.outcomes)} checks"
    if night.superseded_checks:
        passed += f"; {len(night.superseded_checks)} cost-copy check(s) superseded by the recompute"
    return PhaseStatus.DONE, passed + ")"


def _recompute(night: NightRun, say: Say, confirm: Confirm):
    """The rest of an interrupted full recompute (ledger), or a fresh one — also after a complete one:
    timers, wages or FX may have changed since, and the partitions' fingerprints make a fresh run over
    an unchanged database a few index scans."""
    last = _last_recompute(night.dsn)
    resume = last is not None and last.status != RunStatus.COMPLETE and _partitions_left(night.dsn, last)
    if resume and last is not None:
        say(f"resuming recompute run {last.id} ({last.status})")
    night.recompute = recompute_all(
        night.dsn,
        night.options.calendar,
        night.options.workers,
        night.options.stop_file,
        resume=resume,
        on_progress=lambda s: say(
            f"Progress: {s.successful:,} parts processed... ({s.partitions_done}/{s.partitions} partitions)"
        ),
        on_notice=say,
        pool=night.workers,
    )
    if night.workers:
        night.workers.close()
    night.recompute_run = _last_recompute(night.dsn)
    summary = night.recompute
    counts = summary.counts
    line = (
        f"{summary.successful:,} parts, {len(summary.failed)} failed; rows {counts.inserted:,} inserted, "
        f"{counts.updated:,} updated, {counts.deleted:,} deleted, {counts.unchanged:,} unchanged"
    )
    if summary.status == RunStatus.CANCELLED:
        raise PhaseFailed(
            f"recompute stopped ({summary.partitions_done}/{summary.partitions} partitions "
            f"committed): {line}",
            f"run `{command('night-run')}` again to resume it",
            ExitStatus.CANCELLED,
        )
    if summary.exit_code:
        key, reason = summary.failed[0] if summary.failed else ("?", "partitions not done")
        raise PhaseFailed(
            f"recompute finished with failures ({key}: {reason})",
            f"{investigate()} (the recompute resumes where it stopped)",
        )
    return PhaseStatus.DONE, line


def _partitions_left(dsn: str, run: ledger.Run) -> bool:
    """A run that stopped with partitions left is resumed; one that committed them all but failed
    some parts is not (resuming would recompute nothing): a fresh run retries those parts."""
    with connection(dsn, NAME) as conn:
        return len(ledger.committed_partitions(conn, run)) < run.partitions


def _drift(night: NightRun, say: Say, confirm: Confirm):
    with connection(night.dsn, NAME) as conn:
        night.drift = drift(conn)
    d = night.drift
    return PhaseStatus.DONE, (
        f"{d.parts:,} migrated parts: {d.agreeing:,} agree to the cent, {d.differing:,} differ, "
        f"net difference {d.net_difference:,.2f} EUR"
    )


def _app_checks(night: NightRun, say: Say, confirm: Confirm):
    assert night.options.host is not None
    night.app_checks = checks = night.options.host.app_checks()
    for check in checks:
        say(check.line())
    failed = [check for check in checks if not check.passed]
    if failed:
        raise PhaseFailed(
            f"app check failed: {failed[0].item}: {failed[0].evidence}",
            f"{investigate()}; to undo the migration: {night.undo_hint()}",
        )
    return PhaseStatus.DONE, f"{len(checks)} checks passed through the application's own models"
