"""The runbook's Phases 2–6 through ``python manage.py …`` in a Django project against the same
phases through the ``partcost`` CLI, side by side on twin databases of one server:

    python -m benchmarks.django_runbook --tasks 100000 --workers 2

The Django project is the stand-in of ``tests/django_project`` (its tables made by Django's own
``migrate``, then its Phase 2 migration unapplied again, then ``partcost seed``); the twin is a copy
of that database. Each phase runs as the operator types it, a fresh process, first on one side,
then on the other. Nothing here asserts a speed: the figures are for people.
"""

import argparse
import subprocess
import sys
import time
from contextlib import contextmanager

from partcost.db.connections import connection
from partcost.tools.bench import database_copy, embedded_admin_dsn, scratch_database
from partcost.tools.seed import SeedOptions, seed
from tests.support.django_project import manage


def phases(workers: int) -> list[tuple[str, list[str], list[str]]]:
    """(runbook phase, manage.py arguments, partcost CLI arguments)."""
    return [
        ("2 run migrations", ["migrate"], ["schema", "upgrade"]),
        (
            "3 dry run",
            ["migrate_tasks_to_parts", "--dry-run", "--limit", "10"],
            ["migrate-tasks", "--dry-run", "--limit", "10"],
        ),
        ("4 migrate tasks", ["migrate_tasks_to_parts"], ["migrate-tasks"]),
        ("4 migrate costs", ["migrate_job_costs"], ["migrate-costs"]),
        ("5 validation", ["validate_migration"], ["validate"]),
        (
            "6 recompute costs",
            ["recompute_part_costs", "--workers", str(workers)],
            ["recompute", "--workers", str(workers)],
        ),
    ]


@contextmanager
def twin_databases(admin_dsn: str, tasks: int):
    """(the Django project's database before Phase 2, seeded; a copy of it for the CLI)."""
    with scratch_database(admin_dsn, "django") as django_dsn:
        for args in (["migrate"], ["migrate", "tasks", "0001"]):
            must(manage(django_dsn, *args, "--verbosity", "0"))
        with connection(django_dsn) as conn:
            seed(conn, SeedOptions(tasks=tasks))
        with database_copy(admin_dsn, django_dsn, "cli") as cli_dsn:
            yield django_dsn, cli_dsn


def must(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    if done.returncode:
        sys.exit(f"{' '.join(done.args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def timed(run, *args: str) -> float:
    started = time.perf_counter()
    must(run(*args))
    return time.perf_counter() - started


def partcost_cli(dsn: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partcost", "--dsn", dsn, *args], capture_output=True, text=True, timeout=3600
    )


def measure(admin_dsn: str, tasks: int, workers: int) -> list[tuple[str, float, float]]:
    """(phase, seconds through manage.py, seconds through the CLI) for each phase."""
    rows = []
    with twin_databases(admin_dsn, tasks) as (django_dsn, cli_dsn):
        for name, django_args, cli_args in phases(workers):
            through_django = timed(manage, django_dsn, *django_args)
            through_cli = timed(partcost_cli, cli_dsn, *cli_args)
            rows.append((name, through_django, through_cli))
    return rows


def table(rows, tasks: int) -> str:
    lines = [
        f"| phase ({tasks:,} tasks) | `python manage.py …` | `partcost …` | manage.py ÷ CLI |",
        "| --- | --- | --- | --- |",
    ]
    for name, django_s, cli_s in rows:
        lines.append(f"| {name} | {django_s:.2f} s | {cli_s:.2f} s | {django_s / cli_s:.2f}× |")
    django_total, cli_total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines.append(
        f"| **Phases 2–6** | **{django_total:.2f} s** | **{cli_total:.2f} s** | {django_total / cli_total:.2f}× |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--admin-dsn", help="server for the scratch databases (default: the embedded one)")
    options = parser.parse_args()
    rows = measure(options.admin_dsn or embedded_admin_dsn(), options.tasks, options.workers)
    print(table(rows, options.tasks))


if __name__ == "__main__":
    main()
