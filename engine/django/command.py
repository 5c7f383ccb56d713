"""The one adapter every partcost management command is: a ``partcost`` CLI command (click) run as
a Django ``BaseCommand``.

Its options are the click command's own, read from it (so the two cannot drift apart), plus
``--database ALIAS``; partcost's ``-v/--verbose`` is Django's ``--verbosity 2`` and ``--traceback``
is Django's. The click command runs as it is, on the database of ``settings.DATABASES`` and with
the project as its host (:class:`DjangoHost`), printing the same lines into the command's stdout
and stderr. It ends the Django way: normally for exit status 0, otherwise with a
``CommandError`` carrying the same exit status (``manage.py`` exits with it); only ``--traceback``
shows a traceback, and the exit status stays the command's. Before anything runs, Django's
migrations of the apps partcost touches must be applied (``partcost.django.layout``; not for the
backup, which the runbook takes before Phase 2), and Django's own connection is closed, so that
partcost's preflight does not count it as another session.

Example (a management command module)::

    class Command(PartcostCommand):
        click_command = migrate_tasks
        example = "python manage.py migrate_tasks_to_parts --dry-run --limit 10"
"""

import importlib
import io
import pkgutil
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout
from functools import cache
from pathlib import Path

import click
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import DEFAULT_DB_ALIAS

from partcost.cli.app import Session, failure_of, traceback_wanted
from partcost.commands import spelled_as
from partcost.django.database import dsn_for
from partcost.django.host import DjangoHost
from partcost.django.management import commands as commands_package
from partcost.errors import ExitStatus
from partcost.recompute.run import DEFAULT_STOP_FILE
from partcost.server.dsn import DatabaseChoice

# partcost's options that Django's own stand for: --verbose is --verbosity 2.
DJANGO_OWNED = ("verbose",)


class PartcostCommand(BaseCommand):
    click_command: click.Command
    example: str = ""
    needs_migrations_applied = True

    @property
    def help(self) -> str:
        summary = self.click_command.get_short_help_str(limit=200)
        return (
            f"{summary} Runs `partcost {self.click_command.name}` on the database of settings.DATABASES. "
            f"Example: {self.example}"
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The settings.DATABASES alias to work on (default: %(default)s).",
        )
        for argument in self._arguments():
            nargs = {1: None, -1: "*"}.get(argument.nargs, argument.nargs)
            parser.add_argument(argument.name, metavar=argument.human_readable_name, nargs=nargs)
        for option in self._options():
            _add_option(parser, option, _django_default(option))

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.allow_abbrev = False  # click takes whole option names only: `--dry` is not `--dry-run`
        return parser

    def run_from_argv(self, argv) -> None:
        """As Django's, but with ``--traceback`` the exit status is still the command's (Django
        re-raises the CommandError then, and Python would exit 1)."""
        try:
            super().run_from_argv(argv)
        except CommandError as error:
            traceback.print_exc()
            sys.exit(error.returncode)

    def handle(self, *args, **options) -> None:
        with spelled_as(spellings()):
            self._handle(options)

    def _handle(self, options: dict) -> None:
        alias = options["database"]
        dsn = None
        try:
            dsn = dsn_for(alias)
            host = DjangoHost(alias, dsn)
            if self.needs_migrations_applied:
                host.require_layout()
            status = self.run_partcost(
                Session(DatabaseChoice(dsn, f"settings.DATABASES[{alias!r}]"), host), options
            )
        except click.ClickException as error:
            raise CommandError(error.format_message(), returncode=error.exit_code) from None
        except click.exceptions.Abort:
            raise CommandError("aborted", returncode=ExitStatus.FAILED) from None
        except (Exception, KeyboardInterrupt) as error:
            wanted = traceback_wanted(options["traceback"])
            ending = failure_of(error, dsn, wanted, f"python manage.py {self._name()} --traceback …")
            if ending is None:
                raise
            message, code = ending
            raise CommandError(message, returncode=code) from error
        if status != ExitStatus.OK:
            raise CommandError(f"{self._name()}: {status.meaning}", returncode=status)

    def run_partcost(
        self, session: Session, options: dict, stdout: OutputWrapper | None = None
    ) -> ExitStatus:
        """Run the click command with these options (its output into ``stdout``, by default the
        command's); its exit status."""
        command = self.click_command
        with redirect_stdout(_Lines(stdout or self.stdout)), redirect_stderr(_Lines(self.stderr)):
            try:
                with command.make_context(
                    f"partcost {command.name}", self._argv(options), obj=session
                ) as ctx:
                    command.invoke(ctx)
            except click.exceptions.Exit as done:
                return ExitStatus(done.exit_code)
        return ExitStatus.OK

    def _arguments(self) -> list[click.Argument]:
        return [param for param in self.click_command.params if isinstance(param, click.Argument)]

    def _options(self) -> list[click.Option]:
        return [
            param
            for param in self.click_command.params
            if isinstance(param, click.Option) and param.name not in DJANGO_OWNED
        ]

    def _argv(self, options: dict) -> list[str]:
        argv = [str(one) for argument in self._arguments() for one in _as_list(options[argument.name])]
        for option in self._options():
            value, flag = options.get(option.name), _long_name(option)
            if value is None or value is False:
                continue
            if option.is_flag:
                argv.append(flag)
            else:
                for one in _as_list(value):
                    argv += [flag, str(one)]
        if options["verbosity"] >= 2 and any(
            param.name in DJANGO_OWNED for param in self.click_command.params
        ):
            argv.append("--verbose")
        return argv

    def _name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]


@cache
def spellings() -> dict[str, str]:
    """Each CLI command that has a management command, spelled ``python manage.py <its name>``
    (partcost.commands): what the messages saying what to run next name under Django."""
    package = commands_package.__name__
    found = {}
    for module in pkgutil.iter_modules(commands_package.__path__):
        command = importlib.import_module(f"{package}.{module.name}").Command
        found[command.click_command.name] = f"python manage.py {module.name}"
    return found


def _add_option(parser, option: click.Option, default) -> None:
    """The click option as an argparse one: same long name and help; its value is handed back to
    click as text, so click's types, ranges and defaults apply exactly as in the CLI."""
    if option.is_flag:
        parser.add_argument(_long_name(option), dest=option.name, action="store_true", help=option.help)
        return
    shown = default if default is not None else option.default
    help_text = option.help or ""
    if option.show_default and shown is not None:
        help_text += f" (default: {option.show_default if isinstance(option.show_default, str) else shown})"
    parser.add_argument(
        _long_name(option),
        dest=option.name,
        action="append" if option.multiple else "store",
        default=default,
        metavar=option.metavar or _long_name(option).lstrip("-").replace("-", "_").upper(),
        help=help_text,
    )


def _as_list(value) -> list:
    """argparse gives a list for repeated options and ``nargs``; ``call_command`` may give one value."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _long_name(option: click.Option) -> str:
    return max(option.opts, key=len)


def _django_default(option: click.Option):
    """Where Django's default differs from the CLI's: the stop file lives in the project's BASE_DIR,
    where the app's own recompute_part_costs looks for it (the runbook's `touch
    recompute_part_costs.stop` from the project directory)."""
    if option.name == "stop_file" and getattr(settings, "BASE_DIR", None):
        return str(Path(settings.BASE_DIR) / DEFAULT_STOP_FILE)
    return None


class _Lines(io.TextIOBase):
    """A text stream writing into a command's OutputWrapper exactly what it is given (the wrapper
    itself would add a line end to every write)."""

    encoding = "utf-8"

    def __init__(self, wrapper: OutputWrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> int:
        self.wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.wrapper.flush()

    def isatty(self) -> bool:
        return self.wrapper.isatty()
