"""The run ledger: partcost's own two tables recording which partitions of a full recompute are
committed (see sql/recompute/ledger_create.sql). A partition is marked in the same transaction that writes
its cost rows, so the ledger can never claim work that was rolled back."""

import json
from dataclasses import dataclass

import psycopg2

from partcost.db.sql_files import sql_file
from partcost.enums import TextEnum
from partcost.errors import PartcostError

PARTITION_TABLE = "partcost_recompute_partition"


class RunStatus(TextEnum):
    """A full recompute's outcome, as partcost_recompute_run.status stores it."""

    RUNNING = "running"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass
class Run:
    id: int
    partitions: int
    options: dict
    status: RunStatus = RunStatus.RUNNING


def ensure_ledger(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/ledger_exists"))
        if cur.fetchone()[0]:
            conn.rollback()
            return
        try:
            cur.execute(sql_file("recompute/ledger_create"))
        except psycopg2.errors.InsufficientPrivilege:
            conn.rollback()
            raise PartcostError(
                "cannot create partcost's run ledger (partcost_recompute_run, "
                "partcost_recompute_partition): this role lacks CREATE on the schema; "
                "see the README's least-privilege GRANTs"
            ) from None
    conn.commit()


def start_run(conn, partitions: int, options: dict) -> Run:
    with conn.cursor() as cur:
        cur.execute(
            sql_file("recompute/ledger_start_run"), {"partitions": partitions, "options": json.dumps(options)}
        )
        run = Run(cur.fetchone()[0], partitions, options)
    conn.commit()
    return run


def last_run(conn) -> Run | None:
    """The latest full run, whatever its status (None when none ran or there is no ledger yet)."""
    row = None
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/ledger_exists"))
        if cur.fetchone()[0]:
            cur.execute(sql_file("recompute/ledger_last_run"))
            row = cur.fetchone()
    conn.rollback()
    if row is None:
        return None
    run_id, partitions, options, status = row
    return Run(run_id, partitions, options, RunStatus(status))


def unfinished_run(conn) -> Run | None:
    """The latest full run, if it did not complete (cancelled, crashed or failed)."""
    run = last_run(conn)
    return None if run is None or run.status == RunStatus.COMPLETE else run


def committed_partitions(conn, run: Run) -> set:
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/ledger_committed_partitions"), {"run_id": run.id})
        done = {row[0] for row in cur.fetchall()}
    conn.rollback()
    return done


def mark_partition(
    conn, run_id: int, partition: int, parts: int, failed: list, fingerprint: str | None = None
) -> None:
    """Record a partition as committed: call inside the partition's own transaction."""
    with conn.cursor() as cur:
        cur.execute(
            sql_file("recompute/ledger_mark_partition"),
            {
                "run_id": run_id,
                "partition": partition,
                "parts": parts,
                "failed": json.dumps(failed),
                "fingerprint": fingerprint,
            },
        )


def last_records(conn, partitions: int) -> dict[int, str | None]:
    """{partition: the fingerprint (partcost.recompute.changes.Record's text) its latest committed row recorded}
    for every partition that a run with this partition count committed."""
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/ledger_last_records"), {"partitions": partitions})
        records = dict(cur.fetchall())
    conn.rollback()
    return records


def finish_run(conn, run: Run, status: RunStatus) -> None:
    with conn.cursor() as cur:
        cur.execute(sql_file("recompute/ledger_finish_run"), {"status": status, "run_id": run.id})
    conn.commit()
