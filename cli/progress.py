"""Progress for long work: a bar on a terminal, ``Progress: …`` lines in a log."""

import sys
from contextlib import contextmanager

import click


@contextmanager
def progress(total: int, line: str, every: int = 100, label: str = ""):
    """Yield ``advance(done_so_far, **fields)``. Off a terminal, print
    ``line.format(done=…, total=…, **fields)`` each time another ``every`` units are done (and at
    the end), as the runbook's logs show."""
    if sys.stdout.isatty() and total > 0:
        with click.progressbar(length=total, label=label or None, show_pos=True) as bar:
            state = {"done": 0}

            def advance(done: int, **fields) -> None:
                bar.update(done - state["done"])
                state["done"] = done

            yield advance
        return

    state = {"printed": 0}

    def advance(done: int, **fields) -> None:
        if done - state["printed"] >= every or (done == total and done != state["printed"]):
            click.echo(line.format(done=done, total=total, **fields))
            state["printed"] = done

    yield advance
