"""A second writer of the cost tables: the app's own per-part service rewrites a part's rows by DELETE
then INSERT (new ids), without partcost's slot locks. Landing in the middle of a recompute's write, it
must fail (never silently survive in) that partition, and the next run must give the exact rows."""

from contextlib import closing

import psycopg2

from tests.support.cost_checks import assert_equals_reference
from tests.support.processes import run, start, wait_for

ROW_COLUMNS = (
    "job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at"
)


def app_rewrites_user_row(cur, part: str, user: int) -> None:
    """What the app's service does for one (part, user): delete the row, insert its own (23.99)."""
    cur.execute("DELETE FROM tasks_partcostaguser WHERE part_id = %s AND user_id = %s", (part, user))
    cur.execute(
        f"INSERT INTO tasks_partcostaguser (part_id, user_id, {ROW_COLUMNS})"
        " VALUES (%s, %s, 'J', 'EUR', 1, 0, 0, 23.99, 0, 0, 23.99, now())",
        (part, user),
    )


def recompute_waiting_on_a_row_lock(dsn: str) -> bool:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'partcost recompute worker%%'"
            " AND wait_event_type = 'Lock'"
        )
        return cur.fetchone() is not None


def one_user_row(dsn: str, part: str) -> tuple:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, user_id FROM tasks_partcostaguser WHERE part_id = %s ORDER BY user_id LIMIT 1",
            (part,),
        )
        return cur.fetchone()


def test_a_row_the_app_replaces_before_partcost_updates_it_fails_the_partition(dsn, factory, tmp_path):
    assert run(dsn, "recompute", "--workers", "1")[0] == 0
    row_id, user = one_user_row(dsn, "PT-001")
    app = psycopg2.connect(dsn)
    with app.cursor() as cur:  # a stale row partcost will plan to UPDATE; the app holds it meanwhile
        cur.execute("UPDATE tasks_partcostaguser SET hours_ww = 0 WHERE id = %s", (row_id,))
    app.commit()
    with app.cursor() as cur:
        cur.execute("SELECT 1 FROM tasks_partcostaguser WHERE id = %s FOR UPDATE", (row_id,))
        process = start(
            dsn, "recompute", "--workers", "1", "--partitions", "2", "--stop-file", str(tmp_path / "s")
        )
        wait_for(
            lambda: recompute_waiting_on_a_row_lock(dsn),
            "partcost's UPDATE to wait for the row",
            process=process,
        )
        app_rewrites_user_row(cur, "PT-001", user)
    app.commit()
    app.close()
    status, output = process.finish()

    assert status == 1, output
    assert (
        "another writer changed its cost rows while they were recomputed (per-user rows updated: 0 of"
        in output
    )
    assert "Traceback" not in output
    assert run(dsn, "recompute", "--workers", "1")[0] == 0
    assert_equals_reference(dsn)


def app_writes_while_partcost_updates_a_part_row(
    dsn: str, part: str, partitions: str, app_write, tmp_path
) -> tuple:
    """Run a recompute whose UPDATE of ``part``'s (made stale) row waits on a lock, let the app
    write meanwhile (``app_write(cursor)``, committed), then let partcost go on: (status, output)."""
    holder = psycopg2.connect(dsn)
    with holder.cursor() as cur:
        cur.execute("UPDATE tasks_partcostagg SET hours_ww = 0 WHERE part_id = %s", (part,))
    holder.commit()
    with holder.cursor() as cur:
        cur.execute("SELECT 1 FROM tasks_partcostagg WHERE part_id = %s FOR UPDATE", (part,))
        process = start(
            dsn, "recompute", "--workers", "1", "--partitions", partitions, "--stop-file", str(tmp_path / "s")
        )
        wait_for(
            lambda: recompute_waiting_on_a_row_lock(dsn),
            "partcost's UPDATE to wait for the row",
            process=process,
        )
        with closing(psycopg2.connect(dsn)) as app, app.cursor() as app_cur:
            app_write(app_cur)
            app.commit()
    holder.rollback()
    holder.close()
    return process.finish()


def test_a_row_the_app_replaces_while_partcost_leaves_it_unchanged_fails_the_partition(
    dsn, factory, tmp_path
):
    """partcost leaves the user row alone (it is right) but rewrites the part row; the app replaces the
    user row in between: the partition's fingerprint must not be recorded over the app's row."""
    assert run(dsn, "recompute", "--workers", "1")[0] == 0
    _, user = one_user_row(dsn, "PT-001")

    status, output = app_writes_while_partcost_updates_a_part_row(
        dsn, "PT-001", "2", lambda cur: app_rewrites_user_row(cur, "PT-001", user), tmp_path
    )

    assert status == 1, output
    assert "another writer changed its cost rows while they were recomputed (per-user rows:" in output
    assert run(dsn, "recompute", "--workers", "1")[0] == 0
    assert_equals_reference(dsn)


def test_a_part_the_app_inserts_rows_for_meanwhile_is_not_fingerprinted(dsn, factory, build, tmp_path):
    """A part partcost computes no rows for (it has no timers) gets rows from the app mid-write."""
    assert run(dsn, "recompute", "--workers", "1")[0] == 0
    user = build.user()
    build.part("PT-NEW")
    build.commit()

    status, output = app_writes_while_partcost_updates_a_part_row(
        dsn, "PT-001", "1", lambda cur: app_rewrites_user_row(cur, "PT-NEW", user), tmp_path
    )

    assert status == 1, output
    assert "another writer changed its cost rows" in output
    assert run(dsn, "recompute", "--workers", "1")[0] == 0
    assert_equals_reference(dsn)
