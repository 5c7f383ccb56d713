"""The database a command works on: the one named, or partcost's own embedded server."""

from partcost.server.dsn import DatabaseChoice, partcost_home
from partcost.server.embedded import server_for_home


def resolve_dsn(choice: DatabaseChoice) -> str:
    """A connectable DSN for the choice, starting the embedded server when that is the choice."""
    if choice.dsn is not None:
        return choice.dsn
    server = server_for_home(partcost_home())
    server.start()
    return server.url()
