"""``partcost demo``: the whole night on a fresh embedded database, with a short report."""

import time

import click

from partcost.cli.app import partcost
from partcost.cli.night_run import run_and_report
from partcost.cli.seeding import print_counts
from partcost.tools import demo


@partcost.command(name="demo")
@click.option(
    "--tasks",
    type=click.IntRange(min=1),
    default=demo.DEFAULT_TASKS,
    show_default=True,
    help="Machining tasks to seed.",
)
@click.pass_context
def demo_command(ctx, tasks):
    """Run the night on a fresh embedded database (wipes it).

    Drops and recreates the embedded `partcost` database, creates the schema, seeds it and runs
    `night-run --yes` on it (backup and reports in $PARTCOST_HOME), then reports each step's time
    and every table's row count.

    Example:

    \b
        partcost demo
        partcost demo --tasks 20000"""
    started = time.perf_counter()

    def report_step(name, seconds, summary):
        click.echo(f"  {name:<16} {seconds:6.1f} s" + (f"   {summary}" if summary else ""))

    def run_night(dsn, options, report_dir):
        click.echo("  night run:")
        return run_and_report(dsn, options, report_dir, yes=True)

    counts = demo.run(ctx.obj.choice, tasks, on_step=report_step, run_night=run_night)
    click.echo("rows per table:")
    print_counts(counts)
    click.echo(f"demo finished in {time.perf_counter() - started:.1f} s")
