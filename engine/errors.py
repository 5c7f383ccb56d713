"""The one exception type a user should ever see (a sentence and an exit status), and the exit
statuses themselves."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """What every ``partcost`` command's exit status means (and a drainer process's)."""

    OK = 0
    FAILED = 1  # finished, but something failed (named on its own line)
    COULD_NOT_START = 2  # bad option or input, unusable database, not ready, or refused
    CANCELLED = 3  # stopped gracefully (stop file, `partcost stop`, Ctrl-C); run again to resume
    INTERRUPTED = 130  # aborted by Ctrl-C (128 + SIGINT): work in flight rolled back
    BROKEN_PIPE = 141  # the output was closed (128 + SIGPIPE)


class PartcostError(Exception):
    """A problem the operator can act on. The CLI prints ``message`` on one line and exits
    with ``exit_code``."""

    def __init__(self, message: str, exit_code: ExitStatus = ExitStatus.COULD_NOT_START):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
