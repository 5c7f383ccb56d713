"""Wages, FX and users change while a worker loads them: the fingerprint a partition records must
describe exactly the prices its rows were computed from, or later runs skip it with old numbers."""

import threading
from contextlib import closing

import psycopg2

from partcost.recompute import ledger
from partcost.recompute.scope import Scope
from partcost.recompute.split import WorkCalendar
from partcost.recompute.worker import Worker
from tests.support.cost_checks import assert_equals_reference
from tests.support.processes import run, wait_for

CALENDAR = WorkCalendar.parse()


def waiting_on_a_lock(dsn: str, application_name: str) -> bool:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
            (application_name,),
        )
        return cur.fetchone() is not None


def worker_started_while_wages_change(dsn: str) -> Worker:
    """A Worker whose start-up is held on auth_user (read after the wages) while a raise commits."""
    name = "partcost test worker"
    holder = psycopg2.connect(dsn)
    with holder.cursor() as cur:
        cur.execute("LOCK TABLE auth_user IN ACCESS EXCLUSIVE MODE")
    started = {}
    thread = threading.Thread(
        target=lambda: started.update(worker=Worker(dsn, CALENDAR, application_name=name))
    )
    thread.start()
    wait_for(lambda: waiting_on_a_lock(dsn, name), "the worker to wait for auth_user")
    with closing(psycopg2.connect(dsn)) as other, other.cursor() as cur:
        cur.execute("UPDATE users_wagerate SET base_monthly = base_monthly * 2")
        other.commit()
    holder.rollback()
    holder.close()
    thread.join(timeout=30)
    return started["worker"]


def test_a_raise_committed_during_worker_start_up_is_never_frozen_in(dsn, factory):
    worker = worker_started_while_wages_change(dsn)
    try:
        with closing(psycopg2.connect(dsn)) as conn:
            ledger.ensure_ledger(conn)
            run_row = ledger.start_run(conn, 2, {"timezone": CALENDAR.timezone, "work_window": "07:30-17:00"})
            for partition in range(2):
                assert worker.recompute(Scope(2, partition), run_row.id).error is None
            ledger.finish_run(conn, run_row, "complete")
    finally:
        worker.close()

    status, output = run(dsn, "recompute", "--workers", "1", "--partitions", "2")

    assert status == 0, output
    assert_equals_reference(dsn)
