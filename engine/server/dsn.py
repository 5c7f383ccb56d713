"""Which database partcost talks to, and how to name it without leaking its password.

Precedence: ``--dsn`` on the command line, then ``PARTCOST_DSN``, then ``DATABASE_URL``; with none
of them, the embedded PostgreSQL under ``$PARTCOST_HOME`` (see ``partcost.server.embedded``)."""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DSN_VARIABLES = ("PARTCOST_DSN", "DATABASE_URL")
MASK = "***"

# user:password@ in a URI, and password=... in a key/value conninfo (quoted or not).
_URI_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?=@)", re.I)
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s]+)", re.I)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<secret>[^&\s]+)", re.I)


@dataclass(frozen=True)
class DatabaseChoice:
    """A resolved database: ``dsn`` is None when the embedded server should be used."""

    dsn: str | None
    source: str  # "--dsn", "PARTCOST_DSN", "DATABASE_URL" or "embedded"

    @property
    def embedded(self) -> bool:
        return self.dsn is None


def choose_database(cli_dsn: str | None, environ: Mapping[str, str] = os.environ) -> DatabaseChoice:
    if cli_dsn:
        return DatabaseChoice(cli_dsn, "--dsn")
    for name in DSN_VARIABLES:
        if environ.get(name):
            return DatabaseChoice(environ[name], name)
    return DatabaseChoice(None, "embedded")


def partcost_home(environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get("PARTCOST_HOME") or ".partcost").resolve()


def without_password(dsn: str) -> tuple:
    """(the DSN without its password, an environment carrying it as PGPASSWORD) — for handing a DSN
    to psql, pg_dump or pg_restore without the password showing in the process list."""
    import psycopg2.extensions

    parts = psycopg2.extensions.parse_dsn(dsn)
    password = parts.pop("password", None)
    environment = dict(os.environ, PGPASSWORD=password) if password else dict(os.environ)
    return psycopg2.extensions.make_dsn(**parts), environment


def mask_dsn(text: str) -> str:
    """Replace every password in a DSN (URI, query parameter or key=value form) with ``***``."""
    for pattern in (_URI_PASSWORD, _KV_PASSWORD, _QUERY_PASSWORD):
        text = pattern.sub(lambda m: m.group("head") + MASK, text)
    return text


def mask_secrets(text: str, *dsns: str | None) -> str:
    """Mask DSN-shaped secrets in ``text`` and every literal password of the given DSNs
    (drivers sometimes echo a password back in an error message)."""
    text = mask_dsn(text)
    for dsn in dsns:
        for secret in _passwords_in(dsn or ""):
            text = text.replace(secret, MASK)
    return text


def _passwords_in(dsn: str) -> list:
    found = []
    for pattern in (_URI_PASSWORD, _KV_PASSWORD, _QUERY_PASSWORD):
        for match in pattern.finditer(dsn):
            secret = match.group("secret").strip("'")
            if secret:
                found.append(secret)
    return found
