"""partcost inside a Django project: the stand-in factory project of ``tests/django_project``, its
tables made by Django's own ``migrate`` on the test server (never by partcost's DDL), seeded by
``partcost seed``. Each test gets a fresh copy of that database; Django's ``default`` alias points
at it, and so do the ``FACTORY_DB_*`` variables a ``python manage.py`` subprocess reads.

Example::

    def test_validate(factory):
        out = factory.call("validate_migration")
        assert "VALIDATION PASSED" in out
"""

import io
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg2
import psycopg2.extensions
import pytest

from partcost.tools.seed import SeedOptions, seed
from tests.support.django_project import PROJECT, environment_for, manage

TEMPLATE = "factory_template"
SEEDED_TASKS = 300


@dataclass
class Factory:
    """One fresh database of the factory project, and ways to run commands on it."""

    dsn: str
    name: str

    def call(self, command: str, *args, **options) -> str:
        """``call_command`` in this process; its output (a CommandError propagates)."""
        out, error = self.run(command, *args, **options)
        if error is not None:
            raise error
        return out

    def run(self, command: str, *args, **options):
        """``call_command`` in this process: (its output, the CommandError it ended with or None)."""
        from django.core.management import call_command
        from django.core.management.base import CommandError

        out = io.StringIO()
        try:
            call_command(command, *args, stdout=out, stderr=out, **options)
        except CommandError as error:
            return out.getvalue(), error
        return out.getvalue(), None

    def manage(self, *args: str, **environment: str) -> subprocess.CompletedProcess:
        """``python manage.py …`` as the operator types it, in the project directory."""
        return manage(self.dsn, *args, **environment)

    @property
    def environment(self) -> dict:
        return environment_for(self.dsn)

    @contextmanager
    def connect(self):
        conn = psycopg2.connect(self.dsn)
        try:
            yield conn
        finally:
            conn.close()

    def query(self, sql: str, params=()):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall() if cur.description else None
            conn.commit()
        return rows


@contextmanager
def environment_kept():
    """This process's environment (and time zone) as they were before the block."""
    before = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)
        time.tzset()


@pytest.fixture(scope="session")
def django_project(pg):
    """Django set up in this process on the factory project, and the seeded template database."""
    sys.path.insert(0, str(PROJECT))
    import django
    from django.core.management import call_command
    from django.db import connections

    pg.drop_database(TEMPLATE)
    pg.execute(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0')
    with environment_kept():  # the settings read it once; other tests' subprocesses must not inherit it
        os.environ.update(environment_for(pg.dsn(TEMPLATE)))
        django.setup()  # it also sets TZ to settings.TIME_ZONE
    call_command("migrate", verbosity=0)
    connections.close_all()
    with psycopg2.connect(pg.dsn(TEMPLATE)) as conn:
        seed(conn, SeedOptions(tasks=SEEDED_TASKS, seed=11))
    conn.close()
    yield pg
    connections.close_all()
    pg.drop_database(TEMPLATE)


@pytest.fixture
def factory(django_project):
    """A fresh copy of the seeded factory database, with Django's ``default`` alias pointing at it."""
    from django.db import connections

    pg = django_project
    name = pg.create_database(TEMPLATE)
    default = connections["default"]
    default.close()
    default.settings_dict["NAME"] = name
    yield Factory(pg.dsn(name), name)
    connections.close_all()
    pg.drop_database(name)
