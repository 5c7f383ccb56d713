"""The SQL statements partcost runs, one file each under ``partcost/sql/<room>/``.

Read through ``importlib.resources`` so they are found the same way in a checkout, an editable
install and a wheel.

Example::

    cur.execute(sql_file("recompute/load_parts"), params)
"""

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def sql_file(name: str) -> str:
    """The text of ``sql/<name>.sql``, for example ``sql_file("db/schema_upgrade")``."""
    return resources.files("partcost.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
