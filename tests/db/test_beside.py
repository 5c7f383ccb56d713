"""Work beside the caller's (partcost.db.beside): on a connection of its own, its value or its error
handed back, and cancelled when the caller leaves on an error."""

import time

import psycopg2
import psycopg2.errors
import pytest

from partcost.db.beside import Beside
from partcost.errors import PartcostError

NAME = "partcost test beside"


def one(conn, query):
    with conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def test_the_work_runs_on_a_connection_of_its_own_and_its_value_is_handed_back(dsn, conn):
    with Beside(dsn, NAME, lambda own, stopped: one(own, "SELECT pg_backend_pid()")) as beside:
        caller = one(conn, "SELECT pg_backend_pid()")

    assert beside.result() not in (None, caller)


def test_the_work_s_error_is_raised_where_the_caller_asks_for_its_result(dsn):
    with Beside(dsn, NAME, lambda own, stopped: one(own, "SELECT 1 / 0")) as beside:
        pass

    with pytest.raises(psycopg2.errors.DivisionByZero):
        beside.result()
    with pytest.raises(psycopg2.errors.DivisionByZero):  # it had its connection: nothing is done instead
        beside.result(otherwise=lambda: "done here instead")


def test_work_that_never_got_its_connection_is_done_otherwise_by_the_caller(dsn):
    """A connection limit reached, say: the caller does the work itself, one thing after the other."""
    unreachable = psycopg2.extensions.make_dsn(dsn, dbname="partcost_no_such_database")
    with Beside(unreachable, NAME, lambda own, stopped: "done beside") as beside:
        pass

    assert beside.result(otherwise=lambda: "done here instead") == "done here instead"
    with pytest.raises(PartcostError, match="partcost_no_such_database"):
        beside.result()


def test_leaving_on_an_error_cancels_the_work_s_running_statement(dsn, conn):
    sleeping = Beside(dsn, NAME, lambda own, stopped: one(own, "SELECT pg_sleep(30)"))
    with pytest.raises(KeyboardInterrupt), sleeping:
        _wait_until_active(conn)
        raise KeyboardInterrupt

    with pytest.raises(psycopg2.errors.QueryCanceled):
        sleeping.result()


def _wait_until_active(conn, attempts=200):
    for _ in range(attempts):
        conn.rollback()  # a fresh snapshot of pg_stat_activity
        query = (  # the work's own statement, not the session set-up that comes first on its connection
            "SELECT count(*) FROM pg_stat_activity"
            f" WHERE application_name = '{NAME}' AND state = 'active' AND query LIKE '%pg_sleep%'"
        )
        if one(conn, query):
            return
        time.sleep(0.05)
    raise AssertionError("the work's statement never started")
