"""``partcost demo``: the whole night on a fresh embedded database, with a short report."""

import time

import click

from cli.app import partcost
from cli.seeding import print_counts
from engine import demo


@partcost.command(name="demo")
@click.option("--tasks", type=click.IntRange(min=1), default=demo.DEFAULT_TASKS, show_default=True,
              help="Machining tasks to seed.")
@click.pass_context
def demo_command(ctx, tasks):
    """Run the night on a fresh embedded database (wipes it).

    Drops and recreates the embedded `partcost` database, creates the schema, seeds it and runs
    the night's stages, then reports each step's time and every table's row count."""
    started = time.perf_counter()

    def report_step(name, seconds, summary):
        click.echo(f"  {name:<16} {seconds:6.1f} s" + (f"   {summary}" if summary else ""))

    counts = demo.run(ctx.obj.choice, tasks, on_step=report_step)
    click.echo("rows per table:")
    print_counts(counts)
    click.echo(f"demo finished in {time.perf_counter() - started:.1f} s")
