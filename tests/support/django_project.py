"""The stand-in for the factory's Django project (``tests/django_project``), as the tests and the
benchmarks run it: where it is, and the environment that points its settings at a database.

Example::

    subprocess.run([sys.executable, "manage.py", "migrate"], cwd=PROJECT, env=environment_for(dsn))
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2.extensions

PROJECT = Path(__file__).resolve().parent.parent / "django_project"
SETTINGS = "factory.settings"


def environment_for(dsn: str, **more: str) -> dict:
    """This process's environment with the project's FACTORY_DB_* settings naming ``dsn``'s database."""
    parts = psycopg2.extensions.parse_dsn(dsn)
    database = {
        "FACTORY_DB_NAME": parts.get("dbname", ""),
        "FACTORY_DB_HOST": parts.get("host", ""),
        "FACTORY_DB_PORT": parts.get("port", ""),
        "FACTORY_DB_USER": parts.get("user", ""),
        "FACTORY_DB_PASSWORD": parts.get("password", ""),
    }
    path = os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, **database, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONPATH": path, **more}


def manage(dsn: str, *args: str, **environment: str) -> subprocess.CompletedProcess:
    """``python manage.py …`` in the project directory, as the operator types it."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment_for(dsn, **environment),
        capture_output=True,
        text=True,
        timeout=3600,
    )
