"""The one exception type a user should ever see: a sentence and an exit status."""


class PartcostError(Exception):
    """A problem the operator can act on. The CLI prints ``message`` on one line and exits
    with ``exit_code`` (2: could not start / bad input, 1: finished with failures)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
