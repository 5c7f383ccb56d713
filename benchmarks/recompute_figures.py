"""The recompute's performance figures (docs/performance.md), measured side by side in one run.

    python -m benchmarks.recompute_figures --tasks 100000 --workers 2

On a scratch database (seeded, then migrated so the timers sit on operations) it measures:
- the physical floor: PostgreSQL alone COPYing the timer rows out, and the same result rows (sorted)
  into the same empty cost tables in one stream, committed;
- `partcost recompute --workers N` end to end (a fresh process: start-up, load, compute, commit), first
  into empty cost tables, then again with nothing changed (the nightly case);
- the existing service's per-part strategy (benchmarks/baseline_service.py), first run and re-run;
and prints the ratios. `--memory` instead reports the peak memory (parent plus workers) of a recompute.
Nothing here asserts a speed: the figures are for people (and the closing notes)."""

import argparse
import io
import subprocess
import sys
import time
from contextlib import contextmanager, suppress

import psutil

from benchmarks.baseline_service import run_baseline
from partcost.db import schema
from partcost.db.connections import connection
from partcost.db.sql_files import sql_file
from partcost.migration.migrate_tasks import migrate_tasks
from partcost.tools.bench import RESULT_COLUMNS, SORT_KEYS, embedded_admin_dsn, scratch_database, tree_rss
from partcost.tools.seed import SeedOptions, seed


@contextmanager
def stopwatch(figures: dict, name: str):
    started = time.perf_counter()
    yield
    figures[name] = time.perf_counter() - started


@contextmanager
def migrated_scratch_database(admin_dsn: str, tasks: int, timers_per_task: int):
    """A scratch database (partcost.tools.bench) with the layout, seeded and migrated; yields its DSN."""
    with scratch_database(admin_dsn, "figures") as dsn:
        with connection(dsn) as conn:
            schema.create(conn)
            seed(conn, SeedOptions(tasks=tasks, timers_per_task=timers_per_task))
            for _ in migrate_tasks(conn):
                pass
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        yield dsn


def empty_cost_tables(dsn: str) -> None:
    with connection(dsn) as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE tasks_partcostagg, tasks_partcostaguser")
        conn.commit()


def physical_floor(dsn: str, figures: dict) -> None:
    """COPY the timers out, then the (already computed) result rows in, sorted, in one transaction."""
    with connection(dsn) as conn, conn.cursor() as cur:
        operation_ct = _operation_ct(cur)
        timers = cur.mogrify(
            sql_file("recompute/load_timers"),
            {"operation_ct": operation_ct, "partitions": 1, "partition": 0, "part_keys": None},
        ).decode()
        with stopwatch(figures, "floor: COPY timers out"):
            cur.copy_expert(f"COPY ({timers}) TO STDOUT WITH (FORMAT csv)", io.BytesIO())
        rows = {}
        for table in schema.COST_TABLES:
            rows[table] = io.BytesIO()
            cur.copy_expert(
                f"COPY (SELECT {RESULT_COLUMNS[table]} FROM {table} ORDER BY {SORT_KEYS[table]})"
                " TO STDOUT WITH (FORMAT csv)",
                rows[table],
            )
        cur.execute("TRUNCATE tasks_partcostagg, tasks_partcostaguser")
        conn.commit()
        with stopwatch(figures, "floor: COPY results in + commit"):
            for table in schema.COST_TABLES:
                rows[table].seek(0)
                cur.copy_expert(
                    f"COPY {table} ({RESULT_COLUMNS[table]}) FROM STDIN WITH (FORMAT csv)", rows[table]
                )
            conn.commit()
    figures["floor"] = figures["floor: COPY timers out"] + figures["floor: COPY results in + commit"]


def _operation_ct(cur) -> int:
    cur.execute("SELECT id FROM django_content_type WHERE app_label = 'tasks' AND model = 'operation'")
    return cur.fetchone()[0]


def partcost_recompute(dsn: str, workers: int) -> float:
    """`partcost recompute` in a fresh process, start-up included."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "partcost", "--dsn", dsn, "recompute", "--workers", str(workers)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def measure(dsn: str, workers: int, with_baseline: bool) -> dict:
    figures = {}
    empty_cost_tables(dsn)
    partcost_recompute(dsn, workers)  # results for the floor's COPY in
    physical_floor(dsn, figures)
    empty_cost_tables(dsn)
    figures["partcost first run"] = partcost_recompute(dsn, workers)
    figures["partcost re-run"] = partcost_recompute(dsn, workers)
    if with_baseline:
        empty_cost_tables(dsn)
        figures["baseline first run"] = run_baseline(dsn, workers)["seconds"]
        figures["baseline re-run"] = run_baseline(dsn, workers)["seconds"]
    return figures


def peak_memory(dsn: str, workers: int) -> tuple:
    """(seconds, peak RSS in MiB of partcost and its workers) for one full recompute."""
    started = time.perf_counter()
    process = psutil.Popen(
        [sys.executable, "-m", "partcost", "--dsn", dsn, "recompute", "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
    )
    peak = 0
    while process.poll() is None:
        with suppress(psutil.NoSuchProcess):
            peak = max(peak, tree_rss(process))
        time.sleep(0.05)
    return time.perf_counter() - started, peak / 2**20


def report(figures: dict, counts: dict) -> None:
    print(f"\n{counts['timers']:,} finished timers on operations, {counts['parts']:,} parts")
    for name, seconds in figures.items():
        print(f"  {name:<34} {seconds:8.2f} s")
    first, rerun, floor = figures["partcost first run"], figures["partcost re-run"], figures["floor"]
    print(f"\n  first run / physical floor        {first / floor:8.2f}×   (goal ≤ 1.5)")
    if "baseline first run" in figures:
        print(
            f"  baseline / partcost, first run    {figures['baseline first run'] / first:8.1f}×   (goal ≥ 12)"
        )
        print(f"  baseline / partcost, re-run       {figures['baseline re-run'] / rerun:8.1f}×   (goal ≥ 40)")


def database_counts(dsn: str) -> dict:
    with connection(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM tasks_timer WHERE finish_time IS NOT NULL AND content_type_id ="
            " (SELECT id FROM django_content_type WHERE app_label = 'tasks' AND model = 'operation')"
        )
        timers = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM tasks_part")
        return {"timers": timers, "parts": cur.fetchone()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--timers-per-task", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--admin-dsn",
        help="a server to make the scratch database on (default: the embedded one in $PARTCOST_HOME)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the (slow) per-part baseline")
    parser.add_argument("--memory", action="store_true", help="report peak memory instead of the timings")
    args = parser.parse_args()

    admin = args.admin_dsn or embedded_admin_dsn()
    print(
        f"building a scratch database: {args.tasks:,} tasks × {args.timers_per_task} timers ...", flush=True
    )
    with migrated_scratch_database(admin, args.tasks, args.timers_per_task) as dsn:
        counts = database_counts(dsn)
        if args.memory:
            seconds, mib = peak_memory(dsn, args.workers)
            print(
                f"{counts['timers']:,} timers, {args.workers} workers: {seconds:.1f} s, peak memory {mib:,.0f} MiB"
            )
        else:
            report(measure(dsn, args.workers, not args.no_baseline), counts)


if __name__ == "__main__":
    main()
