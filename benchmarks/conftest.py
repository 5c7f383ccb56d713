"""The benchmarks use the tests' embedded PostgreSQL and fresh databases."""

from tests.conftest import dsn, embedded_server, pg  # noqa: F401  (fixtures)
