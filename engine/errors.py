"""The one exception type a user should ever see (a sentence and an exit status), and the exit
statuses themselves."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """What every ``partcost`` command's exit status means (and a drainer process's)."""

    OK = 0
    FAILED = 1
    COULD_NOT_START = 2
    CANCELLED = 3
    INTERRUPTED = 130  # 128 + SIGINT
    BROKEN_PIPE = 141  # 128 + SIGPIPE

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitStatus.OK: "done",
    ExitStatus.FAILED: "finished, but something failed (named above)",
    ExitStatus.COULD_NOT_START: "could not start: bad option or input, unusable database, not ready, or refused",
    ExitStatus.CANCELLED: "stopped gracefully (stop file, Ctrl-C): run it again to resume",
    ExitStatus.INTERRUPTED: "aborted by Ctrl-C: work in flight rolled back",
    ExitStatus.BROKEN_PIPE: "the output was closed",
}


class PartcostError(Exception):
    """A problem the operator can act on. The CLI prints ``message`` on one line and exits
    with ``exit_code``."""

    def __init__(self, message: str, exit_code: ExitStatus = ExitStatus.COULD_NOT_START):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
