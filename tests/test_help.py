"""Every command's help ends with an example a user can copy, and the debugging options are
documented where users look: ``--help``."""

import inspect

import click
import pytest
from click.testing import CliRunner

from partcost.cli import database
from partcost.cli.main import partcost


def every_command(command: click.Command = partcost, path: tuple = ("partcost",)):
    """(path, command) for the group itself and every command and subcommand under it."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from every_command(sub, path + (name,))


COMMANDS = list(every_command())


def example_lines(help_text: str) -> list:
    """The lines of the help's last paragraph, which must be a ``\\b`` block after ``Example:``
    (``\\b`` keeps click from rewrapping them into one line)."""
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    assert len(paragraphs) >= 3, "no Example: section"
    heading, block = paragraphs[-2], paragraphs[-1].splitlines()
    assert heading == "Example:", f"the paragraph before the last is {heading!r}, not 'Example:'"
    assert block[0] == "\b", "the example is not marked \\b, so click rewraps it"
    return [line.strip() for line in block[1:]]


def test_the_walk_finds_the_subcommands():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"partcost", "partcost recompute", "partcost db url", "partcost schema upgrade"} <= names


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_help_ends_with_an_example(path, command):
    lines = example_lines(command.help or "")
    assert lines, "the example is empty"
    for line in lines:
        assert line.startswith("partcost "), f"{line!r} is not a partcost command line"
    name = " ".join(path)
    assert any(line == name or line.startswith(name + " ") for line in lines), f"no example runs {name}"


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_help_shows_the_example_lines_unwrapped(path, command):
    result = CliRunner().invoke(partcost, [*path[1:], "--help"], terminal_width=60)
    assert result.exit_code == 0, result.output
    shown = [line.strip() for line in result.output.splitlines()]
    for line in example_lines(command.help):
        assert line in shown


def test_traceback_and_timings_are_documented_options():
    assert "--traceback" in CliRunner().invoke(partcost, ["--help"]).output
    assert "PARTCOST_DEBUG" in CliRunner().invoke(partcost, ["--help"]).output
    for command in ("recompute", "drain-queue"):
        output = CliRunner().invoke(partcost, [command, "--help"]).output
        assert "--timings" in output and "PARTCOST_TIMINGS" in output


@pytest.fixture
def a_bug(monkeypatch):
    """``partcost db url`` raising what no code expects (the DSN given, so nothing starts)."""

    def broken(dsn):
        raise ValueError("a value nobody expected")

    monkeypatch.setattr(database, "describe", broken)
    monkeypatch.delenv("PARTCOST_DEBUG", raising=False)
    return ["--dsn", "dbname=nowhere"]


def test_an_unexpected_error_is_one_line_without_a_traceback(a_bug):
    result = CliRunner().invoke(partcost, [*a_bug, "db", "url"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: internal error: ValueError: a value nobody expected (run `partcost --traceback …` to see the traceback)"
    ]


def test_traceback_lets_the_exception_through(a_bug):
    result = CliRunner().invoke(partcost, ["--traceback", *a_bug, "db", "url"])
    assert isinstance(result.exception, ValueError) and "Error:" not in result.output


def test_partcost_debug_is_the_same_as_traceback(a_bug, monkeypatch):
    monkeypatch.setenv("PARTCOST_DEBUG", "1")
    result = CliRunner().invoke(partcost, [*a_bug, "db", "url"])
    assert isinstance(result.exception, ValueError) and "Error:" not in result.output


@pytest.fixture
def one_timed_part(dsn, build):
    user = build.user()
    build.wage(user, "2024-01-01", 4500)
    build.fx("2024-01-01", eur=1)
    build.part("P1", job_no="J-1")
    build.timer(user, build.operation("P1-OP1", "P1"), "2024-03-04 09:00:00", "2024-03-04 10:00:00")
    build.commit()
    return dsn


@pytest.mark.parametrize("how", ["option", "environment", "neither"])
def test_timings_prints_the_stage_times(one_timed_part, monkeypatch, how):
    monkeypatch.delenv("PARTCOST_TIMINGS", raising=False)
    if how == "environment":
        monkeypatch.setenv("PARTCOST_TIMINGS", "1")
    flags = ["--timings"] if how == "option" else []
    result = CliRunner().invoke(partcost, ["--dsn", one_timed_part, "recompute", "--workers", "1", *flags])
    assert result.exit_code == 0, result.output
    assert ("Stage time (summed over workers): " in result.output) == (how != "neither")
