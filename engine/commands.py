"""How the operator runs a partcost command where partcost runs, for every message that says what
to run next: ``partcost rollback --yes`` from the shell, ``python manage.py partcost_rollback --yes``
inside a Django project (``partcost.django`` spells them so while one of its commands runs, since the
CLI there would not find the project's database).

Example::

    f"run `{command('recompute --resume')}` to finish"  # "run `partcost recompute --resume` to finish"
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

_spellings: dict[str, str] = {}


def command(words: str) -> str:
    """``words`` (a CLI command's name and arguments) as the operator types them here."""
    name, _, rest = words.partition(" ")
    return " ".join(filter(None, [_spellings.get(name, f"partcost {name}"), rest]))


@contextmanager
def spelled_as(spellings: Mapping[str, str]) -> Iterator[None]:
    """Within the block, the commands named in ``spellings`` are spelled as it says."""
    saved = dict(_spellings)
    _spellings.update(spellings)
    try:
        yield
    finally:
        _spellings.clear()
        _spellings.update(saved)
