"""The runbook's Phase 5: did the migration do what it says?

The runbook's seven checks (with its wording), then checks the runbook leaves out (cost totals,
operation keys, timers left on migrated tasks, timers pointing nowhere). Each check reads a few
counts from one set-based query in sql/migration/validate_*.sql; a check fails when its ``problem`` count is
not zero (or, for the totals, when old and new sums differ). Orphan timers are only a warning: they
predate the migration and do not stop it."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from partcost.db import schema
from partcost.db.catalogue import content_type_id
from partcost.db.connections import one_row
from partcost.db.plans import comparing_whole_tables
from partcost.db.sql_files import sql_file
from partcost.enums import TextEnum

# The checks comparing copied cost rows with the old ones; a recompute replaces those rows on purpose.
COSTS_QUERY = "migration/validate_costs"


@dataclass(frozen=True)
class Check:
    title: str
    query: str  # sql/<query>.sql, e.g. sql/migration/validate_parts.sql, shared by checks that read the same counts
    shown: tuple[tuple[str, str], ...]  # (label, column) printed under the title
    problem: str  # the column counting what is wrong
    ok: str
    error: str  # formatted with the problem count as {n} and every column by name
    warning_only: bool = False


CHECKS = (
    Check(
        "Checking Tasks → Parts migration...",
        "migration/validate_parts",
        (("Tasks", "tasks"), ("Parts", "parts")),
        "tasks_without_part",
        "All tasks migrated to parts",
        "{n} task(s) have no part",
    ),
    Check(
        "Checking Operations creation...",
        "migration/validate_parts",
        (("Operations", "operations"),),
        "parts_without_operation",
        "All parts have operations",
        "{n} migrated part(s) have no operation",
    ),
    Check(
        "Checking Part→Operation relationship...",
        "migration/validate_parts",
        (),
        "parts_without_exactly_one",
        "All parts have exactly 1 operation",
        "{n} migrated part(s) do not have exactly 1 operation",
    ),
    Check(
        "Checking Timer migration...",
        "migration/validate_timers",
        (("Timers on operations", "timers_on_operations"),),
        "timers_on_tasks",
        "No timers pointing to old tasks",
        "{n} timer(s) still point to old tasks",
    ),
    Check(
        "Checking Cost data migration...",
        COSTS_QUERY,
        (("JobCostAgg", "job_costs"), ("PartCostAgg", "part_costs")),
        "job_costs_missing",
        "All costs migrated",
        "{n} JobCostAgg row(s) have no PartCostAgg row",
    ),
    Check(
        "Checking Per-user cost migration...",
        COSTS_QUERY,
        (("JobCostAggUser", "job_user_costs"), ("PartCostAggUser", "part_user_costs")),
        "job_user_costs_missing",
        "All user costs migrated",
        "{n} JobCostAggUser row(s) have no PartCostAggUser row",
    ),
    Check(
        "Spot checking data integrity...",
        "migration/validate_spot_check",
        (),
        "differing_tasks",
        "Spot check passed",
        "{n} migrated task(s) differ from their part/operation (first: {first_differing})",
    ),
    Check(
        "Checking cost totals...",
        COSTS_QUERY,
        (),
        "part_totals_differ",
        "Hours and cost totals match (JobCostAgg = PartCostAgg)",
        "Hours or cost totals differ between JobCostAgg and PartCostAgg",
    ),
    Check(
        "Checking per-user cost totals...",
        COSTS_QUERY,
        (),
        "user_totals_differ",
        "Hours and cost totals match (JobCostAggUser = PartCostAggUser)",
        "Hours or cost totals differ between JobCostAggUser and PartCostAggUser",
    ),
    Check(
        "Checking operation keys...",
        "migration/validate_parts",
        (),
        "parts_without_task_key_operation",
        "Every migrated part has exactly one operation keyed by its task key",
        "{n} migrated part(s) lack exactly one operation keyed by their task key",
    ),
    Check(
        "Checking migrated tasks' timers...",
        "migration/validate_timers",
        (),
        "timers_left_on_migrated_tasks",
        "Every migrated task's timers are on its operation",
        "{n} timer(s) still point to migrated tasks",
    ),
    Check(
        "Checking timer targets...",
        "migration/validate_timers",
        (),
        "timers_without_object",
        "Every timer points to an existing task or operation",
        "{n} timer(s) point to a task or operation that does not exist",
        warning_only=True,
    ),
)


class CheckStatus(TextEnum):
    OK = "ok"
    WARNING = "warning"  # a problem that does not fail the validation
    FAILED = "failed"


@dataclass
class Outcome:
    number: int
    check: Check
    counts: dict[str, Any]

    @property
    def problems(self) -> int:
        return int(self.counts[self.check.problem] or 0)

    @property
    def status(self) -> CheckStatus:
        if not self.problems:
            return CheckStatus.OK
        return CheckStatus.WARNING if self.check.warning_only else CheckStatus.FAILED

    @property
    def message(self) -> str:
        if self.status == CheckStatus.OK:
            return self.check.ok
        return self.check.error.format(n=self.problems, **self.counts)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "title": self.check.title,
            "status": self.status,
            "message": self.message,
            "counts": {label: self.counts[column] for label, column in self.check.shown},
        }


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [o.message for o in self.outcomes if o.status == CheckStatus.FAILED]

    @property
    def warnings(self) -> list[str]:
        return [o.message for o in self.outcomes if o.status == CheckStatus.WARNING]

    @property
    def passed(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "errors": self.errors,
            "warnings": self.warnings,
            "checks": [o.as_dict() for o in self.outcomes],
        }


def validate(conn, excluded_tasks: Sequence[str] = ()) -> Report:
    """Run every check (read-only: the transaction is rolled back).

    ``excluded_tasks``: tasks known not to migrate (night-run --accept-failed-tasks); they, their
    timers and their old cost rows are left out of the checks instead of failing them."""
    schema.require(conn, schema.MIGRATION_TABLES)
    params = {
        "task_type": content_type_id(conn, "machining", "task"),
        "operation_type": content_type_id(conn, "tasks", "operation"),
        "excluded": list(excluded_tasks),
    }
    counts: dict[str, dict] = {}
    report = Report()
    with conn.cursor() as cur, comparing_whole_tables(cur):
        for number, check in enumerate(CHECKS, start=1):
            if check.query not in counts:
                counts[check.query] = one_row(cur, sql_file(check.query), params)
            report.outcomes.append(Outcome(number, check, counts[check.query]))
    conn.rollback()
    return report
