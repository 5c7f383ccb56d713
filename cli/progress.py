"""Progress for long work: a bar on a terminal, ``Progress: …`` lines in a log."""

import sys
from contextlib import contextmanager

import click


class Progress:
    """``advance(done_so_far, **fields)``: on a terminal (with a known ``total``) a bar; otherwise
    ``line.format(done=…, total=…, **fields)`` each time another ``every`` units are done (and at the
    end), as the runbook's logs show. ``total`` 0 means open-ended: lines only."""

    def __init__(self, total: int, line: str, every: int = 100, label: str = ""):
        self.total, self.line, self.every = total, line, every
        self.shown = 0
        self.bar = (
            click.progressbar(length=total, label=label or None, show_pos=True)
            if sys.stdout.isatty() and total > 0
            else None
        )

    def advance(self, done: int, **fields) -> None:
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done
        elif done - self.shown >= self.every or (done == self.total and done != self.shown):
            click.echo(self.line.format(done=done, total=self.total, **fields))
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


@contextmanager
def progress(total: int, line: str, every: int = 100, label: str = ""):
    """Yield ``advance`` of a :class:`Progress`, finishing its bar on the way out."""
    tracker = Progress(total, line, every, label)
    try:
        yield tracker.advance
    finally:
        tracker.close()
