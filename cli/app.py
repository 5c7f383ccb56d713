"""The ``partcost`` group, its shared options and the one place errors become exit statuses."""

import os
from dataclasses import dataclass, field
from typing import NoReturn

import click
import psycopg2

from partcost.db.connections import database_error_message
from partcost.errors import ExitStatus, PartcostError
from partcost.night.run import Host
from partcost.server.choice import resolve_dsn
from partcost.server.dsn import DatabaseChoice, choose_database, mask_secrets

# True when this process is a fresh `partcost` (cli.main.main), not a caller embedding the CLI
# (tests): only then may recompute fork its workers (see partcost.recompute.pool.WorkerPool).
FRESH_PROCESS = False

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class Session:
    """What every command needs: the chosen database, resolved (and started) on first use, and the
    application partcost runs inside, if any (``partcost.django`` sets both)."""

    choice: DatabaseChoice
    host: Host | None = None
    _dsn: str | None = field(default=None, repr=False)

    @property
    def dsn(self) -> str:
        if self._dsn is None:
            self._dsn = resolve_dsn(self.choice)
        return self._dsn


class PartcostGroup(click.Group):
    """Turns every failure into one line on stderr and an exit status. A database error or an
    unexpected exception shows its traceback only when asked for (``--traceback`` or
    ``PARTCOST_DEBUG``): an operator reads one line, a developer chasing a bug gets the stack."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (Exception, KeyboardInterrupt) as error:
            ending = failure_of(error, _known_dsn(ctx), wants_traceback(ctx))
            if ending is None:
                raise
            fail(*ending)


def failure_of(
    error: BaseException, dsn: str | None, traceback: bool, how_to_trace: str = "partcost --traceback …"
) -> tuple[str, ExitStatus] | None:
    """The one line and exit status a command that raised ``error`` ends with, or None when the
    traceback is wanted instead (a database error or an unexpected error, with ``traceback``).
    The last line of defence of every command, the CLI's and partcost.django's alike."""
    if isinstance(error, PartcostError):
        return mask_secrets(error.message, dsn), error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", ExitStatus.INTERRUPTED
    if isinstance(error, BrokenPipeError):  # e.g. `partcost recompute | head`: work in flight rolls back
        return "the output was closed (broken pipe); stopped", ExitStatus.BROKEN_PIPE
    if traceback:
        return None
    if isinstance(error, psycopg2.Error):
        return "database error: " + database_error_message(error, dsn), ExitStatus.COULD_NOT_START
    return (
        f"internal error: {type(error).__name__}: {mask_secrets(str(error), dsn)}"
        f" (run `{how_to_trace}` to see the traceback)",
        ExitStatus.COULD_NOT_START,
    )


def wants_traceback(ctx) -> bool:
    return traceback_wanted(bool(ctx.params.get("show_traceback")))


def traceback_wanted(asked: bool) -> bool:
    """``--traceback`` asked for, or ``PARTCOST_DEBUG`` set to anything but empty (for a run whose
    command line cannot be changed, e.g. a cron job)."""
    return asked or bool(os.environ.get("PARTCOST_DEBUG"))


def _known_dsn(ctx) -> str | None:
    session = ctx.find_object(Session)
    return session.choice.dsn if session else None


def fail(message: str, status: ExitStatus) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    finish(status)


def finish(status: ExitStatus) -> NoReturn:
    """End the running command with ``status``: the one way a command exits with a status."""
    raise click.exceptions.Exit(int(status))


@click.group(cls=PartcostGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--dsn",
    metavar="DSN",
    envvar=None,
    help="PostgreSQL to work on. Default: $PARTCOST_DSN, then $DATABASE_URL, "
    "then the embedded server in $PARTCOST_HOME (./.partcost).",
)
@click.option(
    "--traceback",
    "show_traceback",
    is_flag=True,
    help="On a database error or an unexpected error, show the full Python traceback "
    "instead of one line. Same as setting $PARTCOST_DEBUG=1.",
)
@click.version_option(package_name="partcost")
@click.pass_context
def partcost(ctx, dsn, show_traceback):
    """partcost — the factory's night migration (machining tasks → parts/operations) and the exact
    recompute of every part's labour hours and costs.

    The night runbook, step by step: preflight, backup, schema upgrade, migrate-tasks,
    migrate-costs, validate, recompute.

    Example:

    \b
        partcost --dsn postgresql://partcost@db.example/factory night-run --backup-dir /backups"""
    ctx.obj = Session(choose_database(dsn))


pass_session = click.make_pass_decorator(Session)
