"""Running ``partcost recompute`` from tests and holding its tables up against the reference."""

from contextlib import closing
from datetime import datetime, timezone

import psycopg2
from click.testing import CliRunner

from partcost.cli.main import partcost
from tests.support.reference import Options, Tables, actual_outcome, expected_outcome


def recompute(dsn: str, *args: str) -> str:
    """Run ``partcost recompute --workers 1 [args]`` (a later --workers wins) and insist it completes."""
    result = CliRunner().invoke(partcost, ["--dsn", dsn, "recompute", "--workers", "1", *args])
    assert result.exit_code == 0, result.output
    return result.output


def tables_after_recompute(dsn: str, *args: str) -> Tables:
    recompute(dsn, *args)
    with closing(psycopg2.connect(dsn)) as conn:
        return actual_outcome(conn)


def engine_matches_reference(dsn: str, options: Options = Options(), *args: str) -> Tables:
    """Recompute everything, assert the tables equal the reference row for row, return them."""
    flags = options.cli_args() if options != Options() else []
    actual = tables_after_recompute(dsn, *flags, *args)
    with closing(psycopg2.connect(dsn)) as conn:
        expected = expected_outcome(conn, options)
    assert actual.parts == expected.parts
    assert actual.users == expected.users
    return actual


def stale_cost_rows(conn, part: str, user: int) -> None:
    """Old rows such as a previous run or the migration may have left."""
    written = datetime(2020, 1, 1, tzinfo=timezone.utc)
    numbers = [123.45] * 7
    columns = "job_no_cached, currency, hours_ww, hours_ah, hours_su, cost_ww, cost_ah, cost_su, total_cost, updated_at"
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO tasks_partcostagg (part_id, {columns}) VALUES (%s, 'OLD', 'EUR',"
            " %s, %s, %s, %s, %s, %s, %s, %s)",
            [part, *numbers, written],
        )
        cur.execute(
            f"INSERT INTO tasks_partcostaguser (part_id, user_id, {columns}) VALUES (%s, %s, 'OLD', 'EUR',"
            " %s, %s, %s, %s, %s, %s, %s, %s)",
            [part, user, *numbers, written],
        )
    conn.commit()
