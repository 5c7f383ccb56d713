"""``partcost recompute``, ``partcost stop`` and ``partcost drain-queue``."""

import os
from pathlib import Path
from typing import Any

import click

from partcost.cli import app
from partcost.cli.app import finish, partcost, pass_session
from partcost.cli.progress import Progress
from partcost.commands import command
from partcost.errors import ExitStatus
from partcost.recompute import drain
from partcost.recompute.ledger import RunStatus
from partcost.recompute.run import (
    DEFAULT_STOP_FILE,
    TIMERS_PER_PARTITION,
    check_workers,
    recompute_all,
    recompute_parts,
)
from partcost.recompute.scope import LOCK_SLOTS
from partcost.recompute.split import DEFAULT_TIMEZONE, DEFAULT_WORK_WINDOW, WorkCalendar

EXIT_CODES = (
    f"Exit status: {ExitStatus.OK:d} complete, {ExitStatus.FAILED:d} some parts failed, "
    f"{ExitStatus.COULD_NOT_START:d} could not start, {ExitStatus.CANCELLED:d} cancelled."
)


def calendar_options(command):
    command = click.option(
        "--work-window",
        default=DEFAULT_WORK_WINDOW,
        show_default=True,
        metavar="HH:MM-HH:MM",
        help="Local work window on Monday to Saturday; outside it is after hours.",
    )(command)
    return click.option(
        "--timezone",
        "timezone_name",
        default=DEFAULT_TIMEZONE,
        show_default=True,
        help="The business time zone (IANA name) that days and the window are in.",
    )(command)


def stop_file_option(help_text: str):
    """``--stop-file``: the file whose appearance stops a run gracefully (`partcost stop` creates it)."""

    def decorate(command):
        return click.option(
            "--stop-file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=DEFAULT_STOP_FILE,
            show_default=True,
            help=help_text,
        )(command)

    return decorate


def workers_option(command):
    return click.option(
        "--workers",
        type=int,
        default=lambda: os.cpu_count() or 1,
        show_default="CPU count",
        help="Worker processes, each with its own connection.",
    )(command)


def timings_option(command):
    return click.option(
        "--timings",
        is_flag=True,
        help="After the summary, print the seconds spent in each stage (load, split, price, "
        "…), summed over the workers. Same as setting $PARTCOST_TIMINGS=1.",
    )(command)


@partcost.command(epilog=EXIT_CODES)
@workers_option
@click.option(
    "--part-key",
    "part_keys",
    multiple=True,
    metavar="KEY",
    help="Recompute only this part (repeatable); runs in this process.",
)
@stop_file_option("Stop gracefully once this file appears (`partcost stop` creates it).")
@click.option("--resume", is_flag=True, help="Finish the partitions a cancelled or crashed run left undone.")
@click.option(
    "--partitions",
    type=int,
    default=None,
    metavar="N",
    help=f"Hash partitions of the parts, a power of two up to {LOCK_SLOTS} (default: at least two per "
    f"worker and at most {TIMERS_PER_PARTITION:,} timers each). Each is one transaction.",
)
@calendar_options
@timings_option
@pass_session
def recompute(
    session, workers, part_keys, stop_file, resume, partitions, timezone_name, work_window, timings
):
    """Recompute every part's hours and costs (tasks_partcostagg, tasks_partcostaguser) from its timers.

    Exact to the cent (see costing-rules.md). Only rows whose values changed are written. Stop it
    gracefully with `partcost stop`, the stop file, Ctrl-C or SIGTERM; a second Ctrl-C aborts.

    Example:

    \b
        partcost recompute --workers 8
        partcost recompute --resume
        partcost recompute --part-key PT-M-001 --timings"""
    calendar = WorkCalendar.parse(timezone_name, work_window)
    check_workers(workers)
    if part_keys:
        summary = recompute_parts(session.dsn, calendar, list(part_keys))
    else:
        click.echo(f"Starting cost recomputation with {workers} worker(s)...")
        summary = recompute_all(
            session.dsn,
            calendar,
            workers,
            stop_file,
            resume,
            partitions,
            fork_workers=app.FRESH_PROCESS,
            on_progress=_progress_printer(),
            on_notice=click.echo,
        )
    _print_summary(summary, timings)
    finish(summary.exit_code)


def _progress_printer(unit: str = "partitions"):
    """Progress after every finished partition (their count is known once the run has planned
    them); the queue's batches are open-ended, so they always get lines."""
    state: dict[str, Any] = {"results": 0}

    def show(summary) -> None:
        if "tracker" not in state:
            total = summary.partitions if unit == "partitions" else 0
            of_total = f"/{total}" if total else ""
            state["tracker"] = Progress(
                total,
                f"Progress: {{parts}} parts processed... ({{finished}}{of_total} {unit})",
                every=1,
                label="Recomputing partitions",
            )
        state["results"] += 1
        state["tracker"].advance(state["results"], parts=summary.successful, finished=summary.partitions_done)
        if state["results"] == summary.partitions and unit == "partitions":
            state["tracker"].close()

    return show


def _print_summary(summary, timings: bool = False) -> None:
    click.echo("")
    click.echo(
        "RECOMPUTATION CANCELLED"
        if summary.status == RunStatus.CANCELLED
        else "RECOMPUTATION COMPLETE"
        if summary.exit_code == ExitStatus.OK
        else "RECOMPUTATION FINISHED WITH FAILURES"
    )
    click.echo(f"Successful: {summary.successful}")
    click.echo(f"Failed:     {len(summary.failed)}")
    for key, reason in summary.failed[:50]:
        click.echo(f"  ✗ {key}: {reason}")
    counts = summary.counts
    click.echo(
        f"Rows: {counts.inserted} inserted, {counts.updated} updated, {counts.deleted} deleted, "
        f"{counts.unchanged} unchanged; {summary.seconds:.1f} s"
    )
    if timings or os.environ.get("PARTCOST_TIMINGS"):
        click.echo(
            "Stage time (summed over workers): "
            + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in summary.timings.items())
        )
    if summary.not_done:
        shown = ", ".join(str(p) for p in summary.not_done[:20]) + (
            ", …" if len(summary.not_done) > 20 else ""
        )
        click.echo(
            f"Not done: {len(summary.not_done)} of {summary.partitions} partitions ({shown}) "
            f"— run `{command('recompute --resume')}` to finish them."
        )


@partcost.command()
@stop_file_option("The stop file the running command watches.")
def stop(stop_file):
    """Ask a running recompute or drain-queue to stop gracefully (creates the stop file).

    Example:

    \b
        partcost stop"""
    stop_file.touch()
    click.echo(f"Stop requested ({stop_file}): partitions in flight will finish and commit.")


@partcost.command(name="drain-queue", epilog=EXIT_CODES)
@workers_option
@click.option("--once", is_flag=True, help="Exit when the queue is empty instead of waiting for more.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="Queued parts claimed per transaction.",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 3600),
    default=1.0,
    show_default=True,
    help="Seconds between looks at an empty queue.",
)
@stop_file_option("Stop gracefully once this file appears.")
@calendar_options
@timings_option
@pass_session
def drain_queue(session, workers, once, batch_size, interval, stop_file, timezone_name, work_window, timings):
    """Recompute the parts queued in tasks_partcostrecalcqueue (several drainers may run at once).

    A queue row is removed only if it was not bumped while its part was recomputed.

    Example:

    \b
        partcost drain-queue --workers 2
        partcost drain-queue --once"""
    calendar = WorkCalendar.parse(timezone_name, work_window)
    check_workers(workers)
    click.echo(f"Draining the recompute queue with {workers} worker(s)...")
    summary = drain.drain_queue(
        session.dsn,
        calendar,
        workers,
        stop_file,
        drain.DrainOptions(once, batch_size, interval),
        on_progress=_progress_printer("batches"),
        on_notice=click.echo,
    )
    _print_summary(summary, timings)
    finish(summary.exit_code)
