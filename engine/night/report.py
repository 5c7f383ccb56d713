"""What a night run measured, as the runbook's Success Criteria and as two reports: Markdown for
people, JSON for machines.

Every checklist item partcost can measure is ticked only from a measurement of this run (the
validate checks' counts from the database, tonight's recompute summary, the drift); the items
it cannot see (the application, the browser) are left to the operator, and say so."""

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from partcost.enums import TextEnum
from partcost.errors import PartcostError
from partcost.migration.validate import CheckStatus
from partcost.night.run import NightRun
from partcost.recompute.ledger import RunStatus
from partcost.server.dsn import mask_dsn

REPORT_MODE = 0o600  # the operator's alone: the reports name parts, jobs and their costs

APPLICATION_STARTS = "Application starts without errors"
PARTS_VIEWABLE = "Can view parts/operations in browser"
TIMERS_START_AND_STOP = "Can start/stop timers on operations"
FOR_THE_OPERATOR = (APPLICATION_STARTS, PARTS_VIEWABLE, TIMERS_START_AND_STOP)


class ItemState(TextEnum):
    TICKED = "ticked"
    NOT_MET = "not met"
    NOT_MEASURED = "not measured"  # the run stopped first
    OPERATOR = "operator"  # partcost cannot see it


MARKS = {
    ItemState.TICKED: "[x]",
    ItemState.NOT_MET: "[ ]",
    ItemState.NOT_MEASURED: "[ ]",
    ItemState.OPERATOR: "[ ]",
}


@dataclass
class Item:
    text: str
    state: ItemState
    evidence: str


def checklist(night: NightRun) -> list[Item]:
    items = [
        _tasks_migrated(night),
        _operations_created(night),
        _timers_moved(night),
        _costs_migrated(night),
        _validation_passed(night),
        _costs_recomputed(night),
    ]
    return items + [_application(night, text) for text in FOR_THE_OPERATOR]


def _application(night: NightRun, text: str) -> Item:
    """Ticked from the app checks a run inside the application made (partcost.django) when every
    one of them for this item passed; otherwise the operator's to check."""
    checks = [check for check in night.app_checks or () if check.item == text]
    if not checks:
        return Item(text, ItemState.OPERATOR, "for the operator: partcost cannot see the application")
    failed = [check for check in checks if not check.passed]
    return Item(
        text,
        ItemState.NOT_MET if failed else ItemState.TICKED,
        "; ".join(check.evidence for check in failed or checks),
    )


def _outcome(night: NightRun, number: int):
    return night.validation.outcomes[number - 1] if night.validation else None


def _from_checks(
    night: NightRun, text: str, numbers: tuple[int, ...], evidence: str, accepted_failures_count: bool = False
) -> Item:
    outcomes = [_outcome(night, n) for n in numbers]
    if None in outcomes:
        return Item(text, ItemState.NOT_MEASURED, f"the run stopped before validate ({night.failed_phase})")
    problems = [o.message for o in outcomes if o.status != CheckStatus.OK]
    if accepted_failures_count and night.failed_tasks:
        problems.append(
            f"{len(night.failed_tasks)} task(s) not migrated (accepted with --accept-failed-tasks)"
        )
    counts = {k: v for o in outcomes for k, v in o.counts.items()}
    return Item(
        text,
        ItemState.NOT_MET if problems else ItemState.TICKED,
        "; ".join(problems) if problems else evidence.format(**counts),
    )


def _tasks_migrated(night):
    return _from_checks(
        night,
        "All tasks migrated to parts (counts match)",
        (1,),
        "{tasks:,} tasks, {parts:,} migrated parts",
        accepted_failures_count=True,
    )


def _operations_created(night):
    return _from_checks(
        night,
        "All operations created (1 per part)",
        (2, 3, 10),
        "{operations:,} operations for {parts:,} migrated parts, each keyed by its task key",
    )


def _timers_moved(night):
    return _from_checks(
        night,
        "No timers pointing to old tasks",
        (4, 11),
        "{timers_on_tasks:,} timers on tasks, {timers_on_operations:,} on operations",
        accepted_failures_count=True,
    )


def _costs_migrated(night):
    text = "All cost data migrated"
    if night.drift is None:
        return Item(
            text, ItemState.NOT_MEASURED, f"the run stopped before the drift report ({night.failed_phase})"
        )
    stranded = night.drift.old_costs_without_part
    if stranded:
        return Item(
            text, ItemState.NOT_MET, f"{stranded} JobCostAgg row(s) belong to tasks without a migrated part"
        )
    return Item(
        text,
        ItemState.TICKED,
        f"every JobCostAgg row has a migrated part; {night.drift.parts:,} parts compared in the drift report",
    )


def _validation_passed(night):
    text = "Validation command passes"
    if night.failed_phase == "validate":
        return Item(text, ItemState.NOT_MET, night.failure.why)
    if night.validation is None:
        return Item(text, ItemState.NOT_MEASURED, f"the run stopped before validate ({night.failed_phase})")
    evidence = f"{len(night.validation.outcomes)} checks passed"
    if night.superseded_checks:
        evidence += (
            f" ({len(night.superseded_checks)} cost-copy check(s) superseded: recompute run "
            f"{night.recompute_run.id} replaced the copied rows; see the drift report)"
        )
    return Item(text, ItemState.TICKED, evidence)


def _costs_recomputed(night):
    text = "Cost calculations run successfully"
    summary = night.recompute
    if summary is not None and summary.status == RunStatus.COMPLETE and not summary.failed:
        return Item(
            text, ItemState.TICKED, f"recompute run {summary.run_id}: {summary.successful:,} parts, 0 failed"
        )
    if summary is not None:
        return Item(
            text,
            ItemState.NOT_MET,
            f"recompute {summary.status}: {len(summary.failed)} failed, "
            f"{len(summary.not_done)} partition(s) not done",
        )
    return Item(text, ItemState.NOT_MEASURED, f"the run stopped before recompute ({night.failed_phase})")


# -- the reports ----------------------------------------------------------------------------------


def check_report_dir(report_dir: Path) -> Path:
    """Create the directory and prove it is writable, before anything runs."""
    report_dir = Path(report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=report_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        raise PartcostError(f"--report-dir {report_dir}: cannot write there ({error.strerror})") from None
    return report_dir


def as_dict(night: NightRun, items: list[Item], finished: datetime) -> dict:
    return {
        "finished_at": finished.isoformat(timespec="seconds"),
        "database": mask_dsn(night.dsn),
        "outcome": _outcome_line(night),
        "exit_code": night.exit_code,
        "failure": (
            {"phase": night.failed_phase, "why": night.failure.why, "next_step": night.failure.next_step}
            if night.failure
            else None
        ),
        "phases": [asdict(phase) for phase in night.phases],
        "backup": str(night.backup) if night.backup else None,
        "counts": {
            "tasks_migrated": night.tasks_migrated,
            "cost_rows_copied": night.cost_rows_copied,
            "failed_tasks": [{"task": key, "reason": reason} for key, reason in night.failed_tasks],
        },
        "validation": night.validation.as_dict() if night.validation else None,
        "superseded_checks": night.superseded_checks,
        "recompute": _recompute_dict(night),
        "checklist": [asdict(item) for item in items],
        "drift": night.drift.as_dict() if night.drift else None,
    }


def _recompute_dict(night: NightRun) -> dict | None:
    summary = night.recompute
    if summary is None:
        return None
    return {
        "status": summary.status,
        "run_id": summary.run_id,
        "partitions": summary.partitions,
        "successful": summary.successful,
        "failed": summary.failed,
        "seconds": round(summary.seconds, 2),
        "rows": asdict(summary.counts),
        "stage_seconds": {k: round(v, 2) for k, v in summary.timings.items()},
    }


def _outcome_line(night: NightRun) -> str:
    if night.failure:
        return f"STOPPED at {night.failed_phase}: {night.failure.why}"
    return "NIGHT RUN COMPLETE"


def markdown(night: NightRun, items: list[Item], finished: datetime) -> str:
    lines = [
        f"# partcost night run, {finished:%Y-%m-%d %H:%M:%S}",
        "",
        f"Database: `{mask_dsn(night.dsn)}`  ",
        f"Outcome: **{_outcome_line(night)}**",
        "",
    ]
    if night.failure:
        lines += [f"Next step: {night.failure.next_step}", ""]
    lines += ["## Phases", "", "| phase | status | seconds | what it did |", "|---|---|---:|---|"]
    lines += [f"| {p.name} | {p.status} | {p.seconds:.1f} | {_cell(p.summary)} |" for p in night.phases]
    lines += ["", "## Success criteria", ""]
    lines += [f"- {MARKS[item.state]} {item.text} — {item.evidence}" for item in items]
    if night.failed_tasks:
        lines += ["", "## Tasks that did not migrate", ""]
        lines += [f"- `{_cell(key)}`: {reason}" for key, reason in night.failed_tasks]
    if night.drift:
        lines += ["", *drift_lines(night.drift)]
    return "\n".join(lines) + "\n"


def drift_lines(drift) -> list[str]:
    lines = [
        "## Drift: recomputed cost against the old JobCostAgg cost",
        "",
        f"- migrated parts compared: {drift.parts:,}",
        f"- agree to the cent: {drift.agreeing:,}",
        f"- differ: {drift.differing:,} ({drift.only_old:,} with an old cost only, "
        f"{drift.only_new:,} with a recomputed cost only)",
        f"- total difference (recomputed − old): {drift.net_difference:,.2f} EUR "
        f"(absolute {drift.absolute_difference:,.2f} EUR)",
    ]
    if drift.largest:
        lines += [
            "",
            f"The {len(drift.largest)} largest differences:",
            "",
            "| part | job | old EUR | recomputed EUR | difference |",
            "|---|---|---:|---:|---:|",
        ]
        lines += [
            f"| {_cell(d.part)} | {_cell(d.job or '')} | {money(d.old_cost)} | {money(d.new_cost)} "
            f"| {d.difference:,.2f} |"
            for d in drift.largest
        ]
    return lines


def money(value, none: str = "—") -> str:
    """An amount in EUR as the reports print it, ``none`` where there is none."""
    return none if value is None else f"{value:,.2f}"


def _cell(text: str) -> str:
    """Awkward keys (pipes, newlines, tabs) kept on one Markdown table row."""
    return text.replace("|", "\\|").replace("\n", "\\n").replace("\t", "\\t")


def write_reports(night: NightRun, report_dir: Path, finished: datetime | None = None) -> tuple[Path, Path]:
    """Write ``night-run-YYYYMMDD-HHMMSS.md`` and ``.json``; returns their paths."""
    finished = finished or datetime.now()
    items = checklist(night)
    md, js = _free_names(Path(report_dir), f"night-run-{finished:%Y%m%d-%H%M%S}")
    _write(md, markdown(night, items, finished))
    _write(js, json.dumps(as_dict(night, items, finished), ensure_ascii=False, indent=2, default=str) + "\n")
    return md, js


def _free_names(report_dir: Path, stem: str) -> tuple[Path, Path]:
    """Never overwrite an earlier run's report (two runs in one second get -2, -3, ...)."""
    name, number = stem, 1
    while (report_dir / f"{name}.md").exists() or (report_dir / f"{name}.json").exists():
        number += 1
        name = f"{stem}-{number}"
    return report_dir / f"{name}.md", report_dir / f"{name}.json"


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a report cut short by a full disk must not pass for the real one. Written
    with REPORT_MODE from the start, as the backups are (partcost.migration.backup)."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, REPORT_MODE)
    os.fchmod(descriptor, REPORT_MODE)  # a .partial left by an earlier run keeps its own mode otherwise
    with open(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(partial, path)
