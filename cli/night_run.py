"""``partcost night-run``: the whole runbook in one command (partcost.night.run does the work)."""

import sys
from pathlib import Path

import click

from partcost.cli.app import finish, partcost, pass_session
from partcost.cli.recompute import calendar_options, stop_file_option, workers_option
from partcost.errors import ExitStatus, PartcostError
from partcost.night.report import MARKS, ItemState, check_report_dir, checklist, money, write_reports
from partcost.night.run import Options, PhaseStatus, night_run
from partcost.recompute.run import check_workers
from partcost.recompute.split import WorkCalendar

DEFAULT_REPORT_DIR = Path("partcost-reports")
SHOWN_DRIFT = 5
PHASE_MARKS = {PhaseStatus.FAILED: "✗", PhaseStatus.CANCELLED: "■", PhaseStatus.SKIPPED: "-"}
EXIT_CODES = (
    f"Exit status: {ExitStatus.OK:d} complete, {ExitStatus.FAILED:d} a phase failed, "
    f"{ExitStatus.COULD_NOT_START:d} could not start (or preflight not ready), "
    f"{ExitStatus.CANCELLED:d} recompute stopped (run again to resume)."
)


@partcost.command("night-run", epilog=EXIT_CODES)
@workers_option
@click.option(
    "--backup-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the backup before the migration goes.  [default: .]",
)
@click.option("--skip-backup", is_flag=True, help="Take no backup (you have your own).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation after the dry run.")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REPORT_DIR,
    show_default=True,
    help="Where the Markdown and JSON reports go.",
)
@click.option(
    "--accept-failed-tasks",
    is_flag=True,
    help="Go on when some tasks cannot migrate (they are listed in the report).",
)
@click.option("--allow-active-timers", is_flag=True, help="Do not count running timers as a blocker.")
@click.option("--allow-connections", is_flag=True, help="Do not count other sessions as a blocker.")
@stop_file_option("Stop the recompute gracefully once this file appears.")
@calendar_options
@pass_session
def night_run_command(
    session,
    workers,
    backup_dir,
    skip_backup,
    yes,
    report_dir,
    accept_failed_tasks,
    allow_active_timers,
    allow_connections,
    stop_file,
    timezone_name,
    work_window,
):
    """The runbook in one go: preflight, backup, schema upgrade, migrate-tasks (dry run first),
    migrate-costs, validate, recompute, drift report.

    Stops at the first phase that fails and says what to do next. Run it again after fixing the
    cause: finished phases are detected and not redone, an interrupted recompute resumes.

    Example:

    \b
        partcost night-run --backup-dir /backups --workers 4
        partcost night-run --yes --skip-backup --report-dir /var/log/partcost"""
    check_workers(workers)
    if skip_backup and backup_dir:
        raise PartcostError("--backup-dir and --skip-backup contradict each other: choose one")
    report_dir = check_report_dir(report_dir)
    if not yes and not sys.stdin.isatty():
        raise PartcostError(
            "night-run asks for confirmation after the dry run and there is no terminal to ask on: pass --yes"
        )
    options = Options(
        workers=workers,
        backup_dir=None if skip_backup else backup_dir or Path("."),
        accept_failed_tasks=accept_failed_tasks,
        allow_active_timers=allow_active_timers,
        allow_connections=allow_connections,
        stop_file=stop_file,
        calendar=WorkCalendar.parse(timezone_name, work_window),
        host=session.host,
    )
    night = run_and_report(session.dsn, options, report_dir, yes)
    finish(night.exit_code)


def run_and_report(dsn: str, options: Options, report_dir: Path, yes: bool):
    """Run the night, print each phase and the checklist, write the reports (the demo uses it too)."""
    confirm = (
        (lambda summary: True)
        if yes
        else (lambda summary: click.confirm("Go on with the migration?", default=False))
    )
    night = night_run(dsn, options, confirm, say=lambda line: click.echo(f"   {line}"), on_phase=_echo_phase)
    echo_checklist(night)
    md, js = write_reports(night, report_dir)
    click.echo(f"Reports: {md} and {js}")
    return night


def _echo_phase(phase) -> None:
    mark = PHASE_MARKS.get(phase.status, "✓")
    status = "" if phase.status in (PhaseStatus.DONE, PhaseStatus.FAILED) else f" [{phase.status}]"
    click.echo(f"{mark} {phase.name}{status}: {phase.summary} ({phase.seconds:.1f} s)")


def echo_checklist(night) -> None:
    click.echo("")
    if night.failure:
        click.echo(f"NIGHT RUN STOPPED at {night.failed_phase}: {night.failure.why}")
        click.echo(f"Next: {night.failure.next_step}")
    else:
        click.echo("NIGHT RUN COMPLETE")
    click.echo("")
    click.echo("Success criteria (measured):")
    items = checklist(night)
    for item in items:
        if item.state != ItemState.OPERATOR:
            click.echo(f"  {MARKS[item.state]} {item.text} — {item.evidence}")
    left = [item for item in items if item.state == ItemState.OPERATOR]
    if left:
        click.echo("For the operator (partcost cannot check these):")
    for item in left:
        click.echo(f"  {MARKS[item.state]} {item.text}")
    if night.drift and night.drift.largest:
        click.echo(
            f"Largest drift (recomputed − old JobCostAgg, EUR; "
            f"the {len(night.drift.largest)} largest are in the report):"
        )
        for d in night.drift.largest[:SHOWN_DRIFT]:
            click.echo(
                f"  {d.part!r} (job {d.job}): {money(d.old_cost, none='none')} → "
                f"{money(d.new_cost, none='none')} ({d.difference:+,.2f})"
            )
