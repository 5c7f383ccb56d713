"""``partcost seed``: realistic synthetic data in the state the night migration starts from."""

import time

import click

from partcost.cli.app import partcost, pass_session
from partcost.db.connections import connection, describe
from partcost.tools.seed import SeedOptions, seed


@partcost.command(name="seed")
@click.option("--tasks", type=int, required=True, help="Machining tasks to create.")
@click.option(
    "--timers-per-task",
    type=float,
    default=5.0,
    show_default=True,
    help="Average timers per task (and per native operation).",
)
@click.option("--users", type=int, default=None, help="Workers to create. Default: max(20, tasks/500).")
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: the same seed gives the same rows.",
)
@click.option(
    "--active-timers",
    type=int,
    default=0,
    show_default=True,
    help="Timers to leave running (finish_time NULL), as preflight must catch.",
)
@pass_session
def seed_command(session, tasks, timers_per_task, users, seed_value, active_timers):
    """Fill an empty database with realistic pre-migration data.

    Works on the layout before or after `schema upgrade`; the same --seed gives the same rows.

    Example:

    \b
        partcost schema create --before-upgrade
        partcost seed --tasks 100000 --seed 7"""
    options = SeedOptions(
        tasks=tasks,
        timers_per_task=timers_per_task,
        users=users,
        seed=seed_value,
        active_timers=active_timers,
    )
    started = time.perf_counter()
    with connection(session.dsn) as conn:
        written = seed(conn, options)
    print_counts(written)
    click.echo(f"seeded {describe(session.dsn)} in {time.perf_counter() - started:.1f} s")


def print_counts(counts: dict) -> None:
    width = max(map(len, counts))
    for table, rows in counts.items():
        click.echo(f"  {table:<{width}}  {rows:>10,}")
