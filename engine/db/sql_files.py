"""The SQL statements partcost runs, one file each under ``partcost/sql/<room>/``.

Read through ``importlib.resources`` so they are found the same way in a checkout, an editable
install and a wheel.

A file may write ``{part_hash(KEY)}`` or ``{lock_slot(KEY)}`` for the SQL expression placing the
part key ``KEY`` (a column) in a partition or a lock slot, so that it is written once, in
``partcost.recompute.scope.SQL_PLACEHOLDERS``; they expand to plain SQL (no ``%``), so psycopg2's
``%(name)s`` parameters work as ever.

Example::

    cur.execute(sql_file("recompute/load_parts"), params)
"""

import re
from functools import cache
from importlib import resources

from partcost.recompute.scope import SQL_PLACEHOLDERS

PLACEHOLDER = re.compile(r"\{(?P<name>" + "|".join(SQL_PLACEHOLDERS) + r")\((?P<key>[\w.]+)\)\}")


@cache
def sql_file(name: str) -> str:
    """The text of ``sql/<name>.sql``, for example ``sql_file("db/schema_upgrade")``, with its
    placeholders expanded."""
    text = resources.files("partcost.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
    return PLACEHOLDER.sub(lambda match: SQL_PLACEHOLDERS[match["name"]].format(key=match["key"]), text)
