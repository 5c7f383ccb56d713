"""Entry point: the ``partcost`` group with every command module registered on it."""

from partcost.cli import app, bench, database, demo, migration, night_run, recompute, seeding  # noqa: F401  (each module registers its commands)
from partcost.cli.app import partcost


def main() -> None:
    app.FRESH_PROCESS = True
    partcost(prog_name="partcost")


if __name__ == "__main__":
    main()
