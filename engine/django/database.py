"""The database of a Django ``DATABASES`` alias as the libpq DSN partcost connects with.

Django hands ``NAME``, ``USER``, ``PASSWORD``, ``HOST``, ``PORT`` and ``OPTIONS`` to the driver as
connection keywords; partcost passes the same to libpq, so ``sslmode``, ``sslrootcert``,
``options`` and the rest mean what they mean to the app. ``OPTIONS`` keys that are Django's own,
not libpq's, are left out (``assume_role`` becomes a ``role`` setting at connection start).
Worker processes get the DSN itself: no ``DATABASE_URL`` is needed.

Example::

    dsn_for("default")  # 'dbname=factory user=app host=db.example sslmode=require'
"""

import psycopg2.extensions
from django.db import connections
from django.utils.connection import ConnectionDoesNotExist

from partcost.errors import PartcostError

# Keys of OPTIONS that Django's PostgreSQL backend consumes itself.
DJANGO_ONLY_OPTIONS = ("isolation_level", "server_side_binding", "pool", "cursor_factory", "assume_role")
SETTINGS_KEYWORDS = {"NAME": "dbname", "USER": "user", "PASSWORD": "password", "HOST": "host", "PORT": "port"}


def dsn_for(alias: str) -> str:
    settings = _settings_of(alias)
    if "postgresql" not in settings.get("ENGINE", ""):
        raise PartcostError(
            f"settings.DATABASES[{alias!r}] is {settings.get('ENGINE')!r}: partcost works on PostgreSQL only"
        )
    keywords = {keyword: settings.get(key) for key, keyword in SETTINGS_KEYWORDS.items()}
    options = dict(settings.get("OPTIONS") or {})
    role = options.get("assume_role")
    if role:
        options["options"] = f"{options.get('options', '')} -c role={role}".strip()
    keywords.update({key: value for key, value in options.items() if key not in DJANGO_ONLY_OPTIONS})
    given = {key: str(value) for key, value in keywords.items() if value not in (None, "")}
    try:
        return psycopg2.extensions.make_dsn(**given)
    except psycopg2.ProgrammingError as error:
        raise PartcostError(f"settings.DATABASES[{alias!r}]: {str(error).strip()}") from None


def _settings_of(alias: str) -> dict:
    try:
        return connections[alias].settings_dict
    except ConnectionDoesNotExist:
        known = ", ".join(sorted(connections.settings))
        raise PartcostError(f"--database {alias}: no such alias in settings.DATABASES ({known})") from None
