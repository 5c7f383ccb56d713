"""Entry point: the ``partcost`` group with every command module registered on it."""

from cli.app import partcost
from cli import database  # noqa: F401  (registers db, schema)
from cli import seeding  # noqa: F401  (registers seed)
from cli import demo  # noqa: F401  (registers demo)


def main() -> None:
    partcost(prog_name="partcost")


if __name__ == "__main__":
    main()
