"""The scale ladder (issue 12): every phase of the night at 10,000 → 1,000,000 tasks, beside its physical
floor and the whole night run, and the tables of docs/performance.md made from what was measured.

    # measure (by hand, on a quiet machine; the embedded default, or a server with --admin-dsn):
    partcost bench --tasks 10000,100000,300000,1000000 --workers 1,2 --out ladder-embedded
    partcost bench --tasks 10000,100000,300000,1000000 --workers 1,2 --out ladder-server --admin-dsn DSN

    # the markdown tables for docs/performance.md, from one or more bench.json files:
    python -m benchmarks.ladder ladder-embedded/bench.json [ladder-server/bench.json ...]

Nothing here invents a figure: every cell is a measurement from the files given (an empty cell: not
measured). ``test_ladder.py`` runs one rung at the CI's smoke size so that none of this can rot."""

import argparse
import json
from pathlib import Path

# The rows of the main table, in the night's order: (phase, workers or None).
PHASES = [
    "seed",
    "migrate-tasks",
    "migrate-tasks floor",
    "migrate-costs",
    "migrate-costs floor",
    "validate",
    "validate floor",
    "recompute",
    "recompute re-run",
    "recompute floor",
    "drift",
    "drift floor",
    "night run",
] + [
    f"night: {phase}"
    for phase in (
        "preflight",
        "schema upgrade",
        "dry run",
        "migrate-tasks",
        "migrate-costs",
        "validate",
        "recompute",
        "drift",
    )
]
SKIPPED = {"night: backup"}  # the bench's night runs without a backup: pg_dump's time depends on the disk
FLOORED = ("migrate-tasks", "migrate-costs", "validate", "recompute", "drift")


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def seconds_of(report: dict) -> dict[tuple, dict]:
    """{(phase, workers, tasks): measurement}."""
    return {(m["phase"], m["workers"], m["tasks"]): m for m in report["measurements"]}


def series(report: dict) -> list[tuple]:
    """(phase, workers) of every series measured, in the order of PHASES (workers ascending)."""
    present = {(m["phase"], m["workers"]) for m in report["measurements"]}
    ordered = [
        (p, w) for p in PHASES for w in sorted({w for q, w in present if q == p}, key=lambda w: w or 0)
    ]
    rest = sorted(
        (s for s in present if s not in ordered and s[0] not in SKIPPED), key=lambda s: (s[0], s[1] or 0)
    )
    return ordered + rest


def label(phase: str, workers: int | None) -> str:
    return phase if workers is None else f"{phase}, {workers} worker{'s' if workers > 1 else ''}"


def per_row(m: dict) -> float | None:
    return m["seconds"] / m["rows"] * 1e6 if m and m["rows"] else None


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else ""


def phase_table(report: dict) -> str:
    """Seconds and rows per second per phase and size, the per-row cost ratio largest/smallest size, and
    1,000,000 / 100,000 when both were measured."""
    measured = seconds_of(report)
    sizes = sorted({m["tasks"] for m in report["measurements"]})
    head = (
        "| phase | rows of | "
        + " | ".join(f"{s:,} tasks" for s in sizes)
        + " | µs per row, largest ÷ smallest | 1M ÷ 100k |"
    )
    lines = [head, "|" + " --- |" * (len(sizes) + 4)]
    for phase, workers in series(report):
        cells, costs = [], {}
        for size in sizes:
            m = measured.get((phase, workers, size))
            if m is None:
                cells.append("")
                continue
            costs[size] = per_row(m)
            cells.append(f"{m['seconds']:.2f} s ({m['rows_per_second']:,.0f}/s)")
        present = [s for s in sizes if costs.get(s)]
        spread = (
            f"{costs[present[0]]:.1f} → {costs[present[-1]]:.1f} ({ratio(costs[present[-1]], costs[present[0]])})"
            if len(present) > 1
            else ""
        )
        rows_of = next(m for (p, w, _), m in measured.items() if (p, w) == (phase, workers))
        lines.append(
            f"| {label(phase, workers)} | {_rows_of(phase)} ({rows_of['rows']:,} at {rows_of['tasks']:,}) | "
            + " | ".join(cells)
            + f" | {spread} | {ratio(costs.get(1_000_000), costs.get(100_000))} |"
        )
    return "\n".join(lines)


def _rows_of(phase: str) -> str:
    base = phase.split(": ", 1)[-1].replace(" floor", "")
    return {
        "seed": "timers",
        "migrate-costs": "old cost rows",
        "recompute": "timers",
        "recompute re-run": "timers",
    }.get(base, "tasks")


def floor_table(report: dict) -> str:
    """Per size: each phase over its floor, the floors' sum, the whole night and night ÷ floors."""
    measured = seconds_of(report)
    sizes = sorted({m["tasks"] for m in report["measurements"]})
    workers = sorted({m["workers"] for m in report["measurements"] if m["workers"]})
    top = workers[-1] if workers else None
    lines = [
        "| tasks | " + " | ".join(f"{p} ÷ floor" for p in FLOORED) + " | floors together | whole night "
        f"({top} workers) | night ÷ floors | dry run |",
        "|" + " --- |" * (len(FLOORED) + 5),
    ]
    for size in sizes:
        floors = {p: measured.get((f"{p} floor", None, size)) for p in FLOORED}
        if not all(floors.values()):
            continue
        own = {p: measured.get((p, top if p == "recompute" else None, size)) for p in FLOORED}
        total = sum(f["seconds"] for f in floors.values())
        night = measured.get(("night run", top, size))
        dry = measured.get(("night: dry run", None, size))
        lines.append(
            f"| {size:,} | "
            + " | ".join(
                f"{own[p]['seconds']:.2f} / {floors[p]['seconds']:.2f} s" if own[p] else "" for p in FLOORED
            )
            + f" | {total:.2f} s | "
            + (f"{night['seconds']:.2f} s" if night else "")
            + f" | {ratio(night['seconds'] if night else None, total)} | "
            + (f"{dry['seconds']:.2f} s" if dry else "")
            + " |"
        )
    return "\n".join(lines)


def workers_table(report: dict) -> str:
    measured = seconds_of(report)
    sizes = sorted({m["tasks"] for m in report["measurements"]})
    counts = sorted({m["workers"] for m in report["measurements"] if m["workers"]})
    lines = [
        "| phase | tasks | "
        + " | ".join(f"{w} worker{'s' if w > 1 else ''}" for w in counts)
        + " | more never slower? |",
        "|" + " --- |" * (len(counts) + 3),
    ]
    for phase in ("recompute", "recompute re-run", "night run"):
        for size in sizes:
            times = [measured.get((phase, w, size)) for w in counts]
            if sum(t is not None for t in times) < 2:
                continue
            values = [t["seconds"] for t in times if t]
            verdict = "yes" if all(b <= a for a, b in zip(values, values[1:])) else "**no**"
            if all(set(t.get("stages", {})) <= {"changes"} for t in times if t):
                verdict = "the same work: nothing changed, so no worker started"
            lines.append(
                f"| {phase} | {size:,} | "
                + " | ".join(f"{t['seconds']:.2f} s" if t else "" for t in times)
                + f" | {verdict} |"
            )
    return "\n".join(lines)


def stages_table(report: dict) -> str:
    """Where the recompute's time goes, per size: each stage's seconds (summed over partitions, so over
    workers too) and µs per timer — a stage whose µs grow with the size is what makes the phase not flat."""
    rows = [
        m
        for m in report["measurements"]
        if m.get("stages") and m["phase"] in ("recompute", "recompute re-run")
    ]
    stages = list(dict.fromkeys(stage for m in rows for stage in m["stages"]))
    lines = ["| phase | tasks | timers | " + " | ".join(stages) + " |", "|" + " --- |" * (len(stages) + 3)]
    for m in sorted(rows, key=lambda m: (m["phase"], m["workers"] or 0, m["tasks"])):
        cells = [
            f"{m['stages'][s]:.2f} s ({m['stages'][s] / m['rows'] * 1e6:.1f} µs)" if s in m["stages"] else ""
            for s in stages
        ]
        lines.append(
            f"| {label(m['phase'], m['workers'])} | {m['tasks']:,} | {m['rows']:,} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def server_line(report: dict) -> str:
    server = report.get("server") or {}
    return ", ".join(f"{k} {v}" for k, v in sorted(server.items())) or "(server settings not recorded)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path, help="bench.json files written by `partcost bench`")
    args = parser.parse_args()
    for path in args.reports:
        report = load(path)
        print(f"### {path}\n\nServer: {server_line(report)}\n")
        print(phase_table(report), "\n")
        print(floor_table(report), "\n")
        print(workers_table(report), "\n")
        print(stages_table(report), "\n")


if __name__ == "__main__":
    main()
