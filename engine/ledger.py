"""The run ledger: partcost's own two tables recording which partitions of a full recompute are
committed (see sql/ledger_create.sql). A partition is marked in the same transaction that writes
its cost rows, so the ledger can never claim work that was rolled back."""

import json
from dataclasses import dataclass
from typing import Optional

import psycopg2

from engine.errors import PartcostError

LEDGER_TABLES = ("partcost_recompute_run", "partcost_recompute_partition")


@dataclass
class Run:
    id: int
    partitions: int
    options: dict
    status: str = "running"


def ensure_ledger(conn) -> None:
    from engine.db import sql_file
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('partcost_recompute_run'), to_regclass('partcost_recompute_partition')")
            if all(cur.fetchone()):
                conn.rollback()
                return
            cur.execute(sql_file("ledger_create"))
        conn.commit()
    except psycopg2.errors.InsufficientPrivilege:
        conn.rollback()
        raise PartcostError("cannot create partcost's run ledger (partcost_recompute_run, "
                            "partcost_recompute_partition): this role lacks CREATE on the schema; "
                            "see the README's least-privilege GRANTs") from None


def start_run(conn, partitions: int, options: dict) -> Run:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO partcost_recompute_run (started_at, status, partitions, options)"
            " VALUES (now(), 'running', %s, %s) RETURNING id",
            (partitions, json.dumps(options)),
        )
        run = Run(cur.fetchone()[0], partitions, options)
    conn.commit()
    return run


def unfinished_run(conn) -> Optional[Run]:
    """The latest full run, if it did not complete (cancelled, crashed or failed)."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, partitions, options, status FROM partcost_recompute_run ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
    conn.rollback()
    if row is None or row[3] == "complete":
        return None
    return Run(row[0], row[1], row[2], row[3])


def committed_partitions(conn, run: Run) -> set:
    with conn.cursor() as cur:
        cur.execute("SELECT partition FROM partcost_recompute_partition WHERE run_id = %s", (run.id,))
        done = {row[0] for row in cur.fetchall()}
    conn.rollback()
    return done


def mark_partition(conn, run_id: int, partition: int, parts: int, failed: list) -> None:
    """Record a partition as committed: call inside the partition's own transaction."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO partcost_recompute_partition (run_id, partition, parts, failed_parts, committed_at)"
            " VALUES (%s, %s, %s, %s, now())",
            (run_id, partition, parts, json.dumps(failed)),
        )


def finish_run(conn, run: Run, status: str) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE partcost_recompute_run SET status = %s, finished_at = now() WHERE id = %s",
                    (status, run.id))
    conn.commit()
