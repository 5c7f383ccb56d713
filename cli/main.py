"""Entry point: the ``partcost`` group with every command module registered on it."""

from cli.app import partcost
from cli import database  # noqa: F401  (registers db, schema)
from cli import migration  # noqa: F401  (registers preflight, backup, restore, migrate-*, validate, rollback, status)


def main() -> None:
    partcost(prog_name="partcost")


if __name__ == "__main__":
    main()
