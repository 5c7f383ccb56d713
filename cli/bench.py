"""``partcost bench``: capacity planning (partcost.tools.bench does the measuring and the fitting)."""

from pathlib import Path

import click

from partcost.cli.app import partcost, pass_session
from partcost.recompute.run import check_workers
from partcost.tools import bench

LADDER = "10000,100000,300000,1000000"


def number_list(ctx, param, value: str):
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated whole numbers, got {value!r}") from None
    if not numbers or min(numbers) < 1:
        raise click.BadParameter(f"expected comma-separated numbers of at least 1, got {value!r}")
    return sorted(set(numbers))


@partcost.command("bench")
@click.option(
    "--tasks",
    default="1000,10000,100000",
    show_default=True,
    callback=number_list,
    help=f"Sizes to measure (machining tasks), comma-separated; each in its own scratch database. "
    f"The scale ladder of docs/performance.md: {LADDER}.",
)
@click.option("--timers-per-task", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--workers",
    "worker_counts",
    default="1,2,4",
    show_default=True,
    callback=number_list,
    help="Recompute worker counts to measure, comma-separated.",
)
@click.option(
    "--floors/--no-floors",
    default=True,
    show_default=True,
    help="Measure each phase's physical floor beside it (on a copy of the seeded database).",
)
@click.option(
    "--night/--no-night",
    default=True,
    show_default=True,
    help="Measure a whole night-run too (on another copy; the largest worker count, no backup).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("partcost-bench"),
    show_default=True,
    help="Where bench.json (and bench.png) go; bench.json is rewritten after each size.",
)
@click.option(
    "--project-for-dsn",
    metavar="DSN",
    help="Read this database's row counts (read only) and project the night's time for it.",
)
@click.option(
    "--admin-dsn",
    metavar="DSN",
    help="Make the scratch databases on this server (needs CREATEDB); default: the server of "
    "the database partcost was given (--dsn, $PARTCOST_DSN, $DATABASE_URL), else the embedded one.",
)
@pass_session
def bench_command(
    session, tasks, timers_per_task, worker_counts, floors, night, out_dir, project_for_dsn, admin_dsn
):
    """Time every phase of the night at several sizes, beside its physical floor and the whole night
    run, and fit time ≈ a + b·rows per phase.

    Each size gets a fresh scratch database (seeded, dropped afterwards); existing data is never
    touched. With --project-for-dsn, says how long each phase and the whole night run should take
    on that database for each worker count, and when that extrapolates beyond the sizes measured.

    Example:

    \b
        partcost bench --tasks 1000,10000 --workers 1,2
        partcost bench --project-for-dsn postgresql://reader@db.example/factory"""
    for workers in worker_counts:
        check_workers(workers)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = bench.read_only_row_counts(project_for_dsn) if project_for_dsn else None
    admin = admin_dsn or session.choice.dsn or bench.embedded_admin_dsn()
    server = bench.server_settings(admin)
    click.echo("Server: " + ", ".join(f"{name} {value}" for name, value in sorted(server.items())))
    measurements = []
    for size in tasks:
        click.echo(f"{size:,} tasks × {timers_per_task} timers: a scratch database ...")
        measurements += bench.bench_size(
            admin,
            size,
            timers_per_task,
            worker_counts,
            on_measurement=lambda m: click.echo(f"  {_row(m)}"),
            floors=floors,
            night=night,
        )
        bench.write_json(out_dir, measurements, bench.fit(measurements), server=server)
    click.echo("")
    echo_tables(measurements)
    echo_per_row(measurements)
    echo_floors(measurements)
    echo_workers(measurements)
    models = bench.fit(measurements)
    echo_models(models)
    projection = bench.project(models, counts, worker_counts) if counts else None
    if projection:
        echo_projection(projection, counts, bench.extrapolations(models, counts), models)
    click.echo("")
    click.echo(f"Wrote {bench.write_json(out_dir, measurements, models, projection, counts, server)}")
    chart = bench.write_chart(out_dir, measurements)
    click.echo(
        f"Wrote {chart}"
        if chart
        else "No chart: matplotlib is not installed (`pip install -e .[plot]`, then run bench again)."
    )


HEADER = (
    f"{'phase':<24} {'tasks':>9} {'workers':>7} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'peak MiB':>9}"
)


def _row(m: bench.Measurement) -> str:
    workers = "" if m.workers is None else str(m.workers)
    return (
        f"{m.phase:<24} {m.tasks:>9,} {workers:>7} {m.rows:>10,} {m.seconds:>9.2f} "
        f"{m.rows_per_second:>10,.0f} {m.peak_mib:>9,.0f}"
    )


def echo_tables(measurements) -> None:
    for phase in dict.fromkeys(m.phase for m in measurements):
        click.echo(HEADER)
        for m in measurements:
            if m.phase == phase:
                click.echo(_row(m))
        click.echo("")


def echo_per_row(measurements) -> None:
    """Microseconds per row at each size, and the largest size's over the smallest's (1.00: linear)."""
    table = bench.per_row_table(measurements)
    sizes = sorted({m.tasks for m in measurements})
    if len(sizes) < 2:
        return
    click.echo("Cost per row (µs per row of what the phase scales with), largest size ÷ smallest:")
    click.echo(f"  {'series':<30} " + " ".join(f"{size:>10,}" for size in sizes) + f" {'ratio':>7}")
    for series, by_size in table.items():
        present = [size for size in sizes if size in by_size]
        ratio = (
            by_size[present[-1]] / by_size[present[0]] if len(present) > 1 and by_size[present[0]] else None
        )
        click.echo(
            f"  {series:<30} "
            + " ".join(f"{by_size[size]:>10.2f}" if size in by_size else f"{'':>10}" for size in sizes)
            + (f" {ratio:>6.2f}×" if ratio else "")
        )
    click.echo("")


def echo_floors(measurements) -> None:
    """Each phase against its physical floor, and the whole night against the sum of the floors."""
    seconds = {(m.phase, m.tasks, m.workers): m.seconds for m in measurements}
    sizes = sorted({m.tasks for m in measurements})
    lines = []
    for size in sizes:
        floors = {phase: seconds.get((f"{phase} floor", size, None)) for phase in bench.FLOORS}
        if not all(floors.values()):
            continue
        floor_seconds = {phase: float(seconds) for phase, seconds in floors.items() if seconds}
        parts = []
        for phase in bench.FLOORS:
            own = next((s for (p, t, w), s in seconds.items() if p == phase and t == size), None)
            if own is not None:
                parts.append(f"{phase} {own:.2f}/{floor_seconds[phase]:.2f} s")
        night = next((s for (p, t, w), s in seconds.items() if p == "night run" and t == size), None)
        total = sum(floor_seconds.values())
        line = f"  {size:>9,} tasks: " + ", ".join(parts) + f"; floors together {total:.2f} s"
        if night is not None:
            line += f"; whole night {night:.2f} s = {night / total:.2f}× the floors (goal ≤ 1.5×)"
        lines.append(line)
    if lines:
        click.echo("Phases against their physical floors (partcost / floor):")
        for line in lines:
            click.echo(line)
        click.echo("")


def echo_workers(measurements) -> None:
    """More workers must never be slower than fewer: each recompute series against the one-fewer count."""
    lines = []
    for phase in ("recompute", "recompute re-run"):
        by_size: dict[int, dict] = {}
        for m in measurements:
            if m.phase == phase and m.workers:
                by_size.setdefault(m.tasks, {})[m.workers] = m.seconds
        for size, times in sorted(by_size.items()):
            counts = sorted(times)
            for fewer, more in zip(counts, counts[1:]):
                verdict = "ok" if times[more] <= times[fewer] else "SLOWER"
                lines.append(
                    f"  {phase:<18} {size:>9,} tasks: {more} workers {times[more]:.2f} s, "
                    f"{fewer} {times[fewer]:.2f} s ({verdict})"
                )
    if lines:
        click.echo("More workers against fewer:")
        for line in lines:
            click.echo(line)
        click.echo("")


def echo_models(models) -> None:
    click.echo("Cost model per phase: seconds ≈ a + b·rows (least squares over the sizes)")
    for model in models.values():
        fit = (
            f"rms error {model.rms:.2f} s over {model.points} sizes"
            if model.rms is not None
            else f"fitted exactly through {model.points} size{'s' if model.points != 1 else ''}: no error estimate"
        )
        click.echo(
            f"  {model.series:<30} a = {model.a:7.2f} s   b = {model.b * 1e6:9.3f} s per million "
            f"{model.rows_of.replace('_', ' ')}   ({fit})"
        )
        if model.note:
            click.echo(f"  {'':<30} note: {model.note}")


def echo_projection(projection, counts, extrapolated, models) -> None:
    click.echo("")
    click.echo(
        f"Projected for the database: {counts['tasks']:,} tasks, {counts['timers']:,} timers, "
        f"{counts['job_cost_rows']:,} old cost rows (backup not included: pg_dump depends on the disk)"
    )
    phases = [p for p in next(iter(projection.values())) if not p.startswith("night run")]
    click.echo(
        f"  {'workers':>7} "
        + " ".join(f"{p:>14}" for p in phases)
        + f" {'night run':>11}"
        + f" {'(measured whole)':>17}"
    )
    for workers, seconds in projection.items():
        whole = seconds.get("night run, measured whole")
        click.echo(
            f"  {workers:>7} "
            + " ".join(f"{seconds[p]:>12.1f} s" for p in phases)
            + f" {_minutes(seconds['night run']):>11}"
            + (f" {_minutes(whole):>17}" if whole is not None else "")
        )
    if extrapolated:
        furthest = max(extrapolated.values())
        click.echo(
            f"  Extrapolated: this database is larger than the sizes measured ({len(extrapolated)} of "
            f"{len(models)} lines, up to {furthest:.1f}× the largest size measured). The lines are only "
            "measured up to there; measure a size at least this large (--tasks) before relying on these "
            "figures."
        )
        for series, factor in sorted(extrapolated.items(), key=lambda item: -item[1]):
            model = models[series]
            growth = (
                f"; its cost per row grew {model.per_row_growth:.2f}× across the sizes measured"
                if model.per_row_growth and model.per_row_growth > 1.1
                else ""
            )
            click.echo(
                f"    {series}: {factor:.1f}× beyond {model.max_rows:,} {model.rows_of.replace('_', ' ')}{growth}"
            )


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
