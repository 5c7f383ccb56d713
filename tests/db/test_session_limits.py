"""Every partcost connection sets its own session limits, whatever the connection string, the role or
the database asked for (an application's `-c statement_timeout=…`, say)."""

import time

import psycopg2.extensions
import pytest

from partcost.db.connections import SESSION_LIMITS, connect

APP_OPTIONS = (
    "-c statement_timeout=300 -c lock_timeout=300 -c idle_in_transaction_session_timeout=300"
    " -c idle_session_timeout=300"
)


@pytest.fixture
def limited_dsn(dsn):
    return psycopg2.extensions.make_dsn(dsn, options=APP_OPTIONS)


def test_the_dsn_s_limits_are_replaced_by_partcost_s(limited_dsn):
    conn = connect(limited_dsn)
    with conn.cursor() as cur:
        cur.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (list(SESSION_LIMITS),))
        settings = dict(cur.fetchall())
    conn.close()
    assert settings and all(value == "0" for value in settings.values()), settings
    assert {"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"} <= settings.keys()


def test_a_long_statement_and_a_long_idle_transaction_survive(limited_dsn):
    conn = connect(limited_dsn)
    with conn.cursor() as cur:
        cur.execute("SELECT pg_sleep(0.6)")
        time.sleep(0.6)  # idle in transaction, twice the application's limit
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    conn.commit()
    conn.close()


def test_a_role_s_limits_are_replaced_too(dsn, pg):
    conn = connect(dsn)
    with conn.cursor() as cur:
        cur.execute("SELECT current_user, current_database()")
        user, database = cur.fetchone()
        cur.execute(f'ALTER ROLE "{user}" IN DATABASE "{database}" SET statement_timeout = 300')
    conn.commit()
    conn.close()
    try:
        again = connect(dsn)
        with again.cursor() as cur:
            cur.execute("SELECT pg_sleep(0.6)")
        again.close()
    finally:
        pg.execute(f'ALTER ROLE "{user}" IN DATABASE "{database}" RESET statement_timeout')
