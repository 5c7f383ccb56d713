"""Checks on the two cost tables shared by the operations and reliability tests: their rows as plain
tuples, "no part is half-written", and "equal to the exact reference"."""

from contextlib import closing

import psycopg2

from tests.support.reference import Options, actual_outcome, expected_outcome


def cost_tables(conn):
    """Both cost tables as sorted tuples (without ids and timestamps)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT part_id, job_no_cached, hours_ww, hours_ah, hours_su, cost_ww, cost_ah, cost_su,"
            " total_cost FROM tasks_partcostagg ORDER BY part_id"
        )
        parts = cur.fetchall()
        cur.execute(
            "SELECT part_id, user_id, hours_ww, hours_ah, hours_su, cost_ww, cost_ah, cost_su,"
            " total_cost FROM tasks_partcostaguser ORDER BY part_id, user_id"
        )
        users = cur.fetchall()
    conn.rollback()
    return parts, users


def assert_no_half_written_part(conn):
    """Every part's per-user rows sum to its per-part hours (each bucket, within a cent of rounding
    per user row), and user rows never exist without their part's row."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT coalesce(a.part_id, u.part_id)
            FROM tasks_partcostagg a
            FULL JOIN (SELECT part_id, count(*) n, sum(hours_ww) ww, sum(hours_ah) ah, sum(hours_su) su
                       FROM tasks_partcostaguser GROUP BY part_id) u
              ON u.part_id = a.part_id
            WHERE u.part_id IS NULL AND a.hours_ww + a.hours_ah + a.hours_su > 0
               OR a.part_id IS NULL
               OR abs(a.hours_ww - u.ww) > 0.01 * u.n
               OR abs(a.hours_ah - u.ah) > 0.01 * u.n
               OR abs(a.hours_su - u.su) > 0.01 * u.n
        """)
        assert cur.fetchall() == []
    conn.rollback()


def outcomes(dsn: str, options: Options = Options()):
    """(what the tables hold, what the exact reference says they must hold)."""
    with closing(psycopg2.connect(dsn)) as conn:
        return actual_outcome(conn), expected_outcome(conn, options)


def assert_equals_reference(dsn: str, except_parts=()) -> None:
    """The cost tables equal a full exact recompute row for row (``except_parts`` are left out of
    the expectation: parts that legitimately fail)."""
    actual, expected = outcomes(dsn)
    assert actual.parts == {key: row for key, row in expected.parts.items() if key not in except_parts}
    assert actual.users == {key: row for key, row in expected.users.items() if key[0] not in except_parts}


def assert_exact_but_failed_parts_as_before(
    dsn: str, failed_parts, before, options: Options = Options()
) -> None:
    """Every part but ``failed_parts`` equals a full exact recompute row for row; those keep the
    rows they had ``before`` (as ``cost_tables`` gave them)."""
    actual, expected = outcomes(dsn, options)
    others = lambda rows, part_of: {key: row for key, row in rows.items() if part_of(key) not in failed_parts}
    assert others(actual.parts, lambda part: part) == others(expected.parts, lambda part: part)
    assert others(actual.users, lambda key: key[0]) == others(expected.users, lambda key: key[0])
    with closing(psycopg2.connect(dsn)) as conn:
        now = cost_tables(conn)
    failed = lambda tables: [[row for row in rows if row[0] in failed_parts] for rows in tables]
    assert failed(now) == failed(before)


def assert_partial_rows_are_exact(dsn: str) -> None:
    """After an interrupted run: no half-written part, and every part it did write is exact."""
    with closing(psycopg2.connect(dsn)) as conn:
        assert_no_half_written_part(conn)
    actual, expected = outcomes(dsn)
    assert actual.parts == {key: expected.parts[key] for key in actual.parts}
    assert actual.users == {key: expected.users[key] for key in actual.users}
