"""Each test gets its own fresh, real PostgreSQL database.

One embedded server per test session (fsync off: test data is disposable), or the server named by
``PARTCOST_TEST_DSN``. Databases are cloned from templates that already hold the production layout,
so a fresh database costs a few milliseconds."""

import itertools
import os
import shutil
import sys
import tempfile
from pathlib import Path

import psycopg2
import psycopg2.extensions
import pytest

from partcost.db import schema
from partcost.server.embedded import EmbeddedServer
from tests.support.builder import Builder

TEMPLATE = "partcost_template"
TEMPLATE_BEFORE_UPGRADE = "partcost_template_pre"
_names = itertools.count(1)


class TestServer:
    """Creates and drops databases on one PostgreSQL server."""

    def __init__(self, admin_dsn: str):
        self.admin_dsn = admin_dsn

    def dsn(self, database: str) -> str:
        return psycopg2.extensions.make_dsn(self.admin_dsn, dbname=database)

    def execute(self, statement: str) -> None:
        conn = psycopg2.connect(self.admin_dsn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
        conn.close()

    def create_database(self, template: str = "template0") -> str:
        name = f"partcost_test_{os.getpid()}_{next(_names)}"
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build_template(server: TestServer, name: str, upgrade: bool) -> None:
    server.drop_database(name)
    server.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    conn = psycopg2.connect(server.dsn(name))
    schema.create(conn, upgrade=upgrade)
    conn.close()


@pytest.fixture(scope="session")
def embedded_server():
    """The embedded PostgreSQL itself (None when PARTCOST_TEST_DSN names another server)."""
    if os.environ.get("PARTCOST_TEST_DSN"):
        yield None
        return
    # Not under pytest's basetemp: another pytest run on the machine prunes old basetemps, and
    # with them this server's data directory and socket.
    home = Path(tempfile.mkdtemp(prefix="partcost-test-pg-"))
    server = EmbeddedServer(home / "pgdata")
    server.start(durable=False)
    yield server
    server.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def pg(embedded_server):
    admin = os.environ.get("PARTCOST_TEST_DSN") or embedded_server.url("postgres")
    server = TestServer(admin)
    _build_template(server, TEMPLATE, upgrade=True)
    _build_template(server, TEMPLATE_BEFORE_UPGRADE, upgrade=False)
    return server


def _fresh(pg, template):
    name = pg.create_database(template)
    yield pg.dsn(name)
    pg.drop_database(name)


@pytest.fixture
def dsn(pg):
    """A fresh database with the full production layout (after Phase 2), no rows but content types."""
    yield from _fresh(pg, TEMPLATE)


@pytest.fixture
def dsn_before_upgrade(pg):
    """A fresh database with the layout before the runbook's Phase 2."""
    yield from _fresh(pg, TEMPLATE_BEFORE_UPGRADE)


@pytest.fixture
def empty_dsn(pg):
    """A fresh, empty database."""
    yield from _fresh(pg, "template0")


@pytest.fixture
def conn(dsn):
    connection = psycopg2.connect(dsn)
    yield connection
    connection.close()


@pytest.fixture
def build(conn):
    return Builder(conn)


@pytest.fixture(autouse=True)
def no_old_top_level_modules():
    """partcost installs one import package; a module named ``engine``, ``cli`` or ``sql`` would be
    another package's, or a path leaking in from the checkout."""
    yield
    imported = sorted(name for name in sys.modules if name.split(".")[0] in ("engine", "cli", "sql"))
    assert not imported, f"imported under an old top-level name: {imported}"
