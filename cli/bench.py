"""``partcost bench``: capacity planning (partcost.tools.bench does the measuring and the fitting)."""

from pathlib import Path

import click

from partcost.cli.app import partcost, pass_session
from partcost.tools import bench
from partcost.recompute.run import check_workers


def number_list(ctx, param, value: str):
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated whole numbers, got {value!r}") from None
    if not numbers or min(numbers) < 1:
        raise click.BadParameter(f"expected comma-separated numbers of at least 1, got {value!r}")
    return sorted(set(numbers))


@partcost.command("bench")
@click.option("--tasks", default="1000,10000,100000", show_default=True, callback=number_list,
              help="Sizes to measure (machining tasks), comma-separated; each in its own scratch database.")
@click.option("--timers-per-task", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--workers", "worker_counts", default="1,2,4", show_default=True, callback=number_list,
              help="Recompute worker counts to measure, comma-separated.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("partcost-bench"),
              show_default=True, help="Where bench.json (and bench.png) go.")
@click.option("--project-for-dsn", metavar="DSN",
              help="Read this database's row counts (read only) and project the night's time for it.")
@click.option("--admin-dsn", metavar="DSN",
              help="Make the scratch databases on this server (needs CREATEDB); default: the server of "
                   "the database partcost was given (--dsn, $PARTCOST_DSN, $DATABASE_URL), else the embedded one.")
@pass_session
def bench_command(session, tasks, timers_per_task, worker_counts, out_dir, project_for_dsn, admin_dsn):
    """Time every phase of the night at several sizes and fit time ≈ a + b·rows per phase.

    Each size gets a fresh scratch database (seeded, dropped afterwards); existing data is never
    touched. With --project-for-dsn, says how long each phase and the whole night run should take
    on that database for each worker count.

    Example:

    \b
        partcost bench --tasks 1000,10000 --workers 1,2
        partcost bench --project-for-dsn postgresql://reader@db.example/factory"""
    for workers in worker_counts:
        check_workers(workers)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = bench.read_only_row_counts(project_for_dsn) if project_for_dsn else None
    admin = admin_dsn or session.choice.dsn or bench.embedded_admin_dsn()
    measurements = []
    for size in tasks:
        click.echo(f"{size:,} tasks × {timers_per_task} timers: a scratch database ...")
        measurements += bench.bench_size(admin, size, timers_per_task, worker_counts,
                                         on_measurement=lambda m: click.echo(f"  {_row(m)}"))
    click.echo("")
    echo_tables(measurements)
    models = bench.fit(measurements)
    echo_models(models)
    projection = bench.project(models, counts, worker_counts) if counts else None
    if projection:
        echo_projection(projection, counts)
    click.echo("")
    click.echo(f"Wrote {bench.write_json(out_dir, measurements, models, projection, counts)}")
    chart = bench.write_chart(out_dir, measurements)
    click.echo(f"Wrote {chart}" if chart else
               "No chart: matplotlib is not installed (`pip install -e .[plot]`, then run bench again).")


HEADER = f"{'phase':<18} {'tasks':>9} {'workers':>7} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'peak MiB':>9}"


def _row(m: bench.Measurement) -> str:
    workers = "" if m.workers is None else str(m.workers)
    return (f"{m.phase:<18} {m.tasks:>9,} {workers:>7} {m.rows:>10,} {m.seconds:>9.2f} "
            f"{m.rows_per_second:>10,.0f} {m.peak_mib:>9,.0f}")


def echo_tables(measurements) -> None:
    for phase in dict.fromkeys(m.phase for m in measurements):
        click.echo(HEADER)
        for m in measurements:
            if m.phase == phase:
                click.echo(_row(m))
        click.echo("")


def echo_models(models) -> None:
    click.echo("Cost model per phase: seconds ≈ a + b·rows (least squares over the sizes)")
    for model in models.values():
        fit = (f"rms error {model.rms:.2f} s over {model.points} sizes" if model.rms is not None
               else f"fitted exactly through {model.points} size{'s' if model.points != 1 else ''}: no error estimate")
        click.echo(f"  {model.series:<30} a = {model.a:7.2f} s   b = {model.b * 1e6:9.3f} s per million "
                   f"{model.rows_of.replace('_', ' ')}   ({fit})")


def echo_projection(projection, counts) -> None:
    click.echo("")
    click.echo(f"Projected for the database: {counts['tasks']:,} tasks, {counts['timers']:,} timers, "
               f"{counts['job_cost_rows']:,} old cost rows (backup not included: pg_dump depends on the disk)")
    phases = [p for p in next(iter(projection.values())) if p != "night run"]
    click.echo(f"  {'workers':>7} " + " ".join(f"{p:>14}" for p in phases) + f" {'night run':>11}")
    for workers, seconds in projection.items():
        click.echo(f"  {workers:>7} " + " ".join(f"{seconds[p]:>12.1f} s" for p in phases)
                   + f" {_minutes(seconds['night run']):>11}")


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
