"""Planner-proof checks: EXPLAIN every statement partcost runs and find the plans that would re-scan.

``audited(dsn)`` is a connection whose cursors EXPLAIN (VERBOSE, FORMAT JSON) each statement just before
running it — the statements of a multi-statement SQL file one at a time, and the query inside a
``COPY (…) TO STDOUT`` — so a test sees the plan PostgreSQL chooses, with the statistics it really has,
for every statement of an engine function. Where the statement may use nested loops, it is planned
with hash and merge joins off: with a row estimate of one, a nested loop is what the planner picks
once the tables are big enough (at 300,000 tasks; at a test's size a hash join may still win a cost
tie), so every nested loop the statement could get must be harmless, not only today's. ``rescans(plan)`` names the nodes that a plan
executes again for every row of another input without being keyed on that row: a Nested Loop whose
inner side is a sequential scan, a materialized or CTE result, or an index scan whose condition does not
depend on the outer row, and a correlated SubPlan of that kind. Such a plan costs (rows of one input) ×
(rows of the other): harmless while the planner's row estimate is right, minutes when it believes a
table holds one row that holds a million.

``analyze_from_another_session(dsn, tables)``, called while a transaction's bulk INSERT into the
tables is not committed yet, gives them the statistics autovacuum leaves when it comes by at that
moment (as it can during migrate-costs' INSERT … SELECT into TRUNCATEd cost tables): every page
counted, no live row on them, so the planner estimates one row whatever the table holds."""

import json
import re
from collections.abc import Sequence
from contextlib import closing

import psycopg2
import psycopg2.extensions

EXPLAINABLE = ("select", "insert", "update", "delete", "with", "merge", "values", "table")
# Nodes that hand on their children's rows: a re-scan of them re-scans their children.
SMALL_TABLE_PAGES = 10
PASS_THROUGH = {
    "Memoize",
    "Sort",
    "Incremental Sort",
    "Limit",
    "Aggregate",
    "Unique",
    "Result",
    "Subquery Scan",
    "Append",
    "Merge Append",
    "Hash",
    "Hash Join",
    "Merge Join",
    "Nested Loop",
    "Gather",
    "Gather Merge",
    "WindowAgg",
    "SetOp",
    "Group",
    "LockRows",
    "ProjectSet",
    "BitmapAnd",
    "BitmapOr",
}
KEYED_SCANS = {
    "Index Scan": "Index Cond",
    "Index Only Scan": "Index Cond",
    "Bitmap Index Scan": "Index Cond",
    "Tid Scan": "TID Cond",
    "Tid Range Scan": "TID Cond",
    "Function Scan": "Function Call",
}
QUALIFIED = re.compile(r'(?<![\w."])"?([A-Za-z_][\w$]*)"?\.(?:"[^"]+"|[A-Za-z_][\w$]*)')


def statements(text: str) -> list[str]:
    """The statements of an SQL file's text, comments removed (partcost's files keep semicolons out
    of their literals)."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in code.split(";") if part.strip()]


class PlanAudit:
    """What one connection ran: [(statement, plan, pages)] for every statement that has a plan, with
    the real size in pages of every table the plan reads, taken when it was planned."""

    def __init__(self):
        self.plans = []

    def problems(self) -> list[str]:
        """One line per statement with a re-scanning plan: the nodes and the statement's start."""
        return self._flagged(rescans)

    def disabled(self) -> list[str]:
        """One line per statement planned with a node its session had switched off (PostgreSQL 18 marks
        it; before 18 such a node is costed as disabled, enough to set off JIT on a tiny statement)."""
        return self._flagged(lambda plan, pages: disabled_nodes(plan[0]["Plan"]))

    def _flagged(self, find) -> list[str]:
        """One line per statement for which ``find(plan, pages)`` names nodes: they and its start."""
        return [
            f"{'; '.join(found)}  <=  {' '.join(statement.split())[:160]}"
            for statement, plan, pages in self.plans
            if (found := find(plan, pages))
        ]

    def explained(self) -> str:
        """Every re-scanning statement with its plan, for a failing assertion's message."""
        return "\n\n".join(
            f"{' '.join(statement.split())[:300]}\n{outline(plan)}"
            for statement, plan, pages in self.plans
            if rescans(plan, pages)
        )

    def statements_like(self, fragment: str) -> list:
        return [statement for statement, _, _ in self.plans if fragment in statement]


def audited(dsn: str, audit: PlanAudit):
    """A psycopg2 connection whose every statement's plan is recorded in ``audit`` before it runs."""

    class AuditingCursor(psycopg2.extensions.cursor):
        def execute(self, query, params=None):
            text = query.as_string(self) if hasattr(query, "as_string") else query
            parts = statements(text)
            if len(parts) <= 1:
                self._explain(text, params)
                return super().execute(query, params)
            for part in parts:  # one at a time, so each is planned after the ones before it ran
                self._explain(part, params)
                super().execute(part, params)

        def copy_expert(self, sql, file, size=8192):
            inner = re.match(r"\s*COPY\s*\((.*)\)\s*TO\s+STDOUT", sql, re.S | re.I)
            if inner:
                self._explain(inner.group(1), None)
            return super().copy_expert(sql, file, size)

        def _explain(self, statement, params):
            parts = statements(statement)
            if not parts or parts[0].split(None, 1)[0].lower() not in EXPLAINABLE:
                return
            bound = self.mogrify(parts[0], params).decode() if params is not None else parts[0]
            # Where nested loops are allowed, plan as the planner does when it believes a table holds
            # one row — a nested loop then looks cheapest — so that a statement passes on its shape,
            # not on a cost tie-break of the moment (hash and merge joins off, for this EXPLAIN only).
            super().execute(
                "SELECT current_setting('enable_nestloop')::bool,"
                " current_setting('enable_hashjoin'), current_setting('enable_mergejoin')"
            )
            nested_loops_allowed, hashjoin, mergejoin = self.fetchone()
            if nested_loops_allowed:
                super().execute(
                    "SELECT set_config('enable_hashjoin', 'off', true),"
                    " set_config('enable_mergejoin', 'off', true)"
                )
            super().execute("EXPLAIN (VERBOSE, FORMAT JSON) " + bound)
            plan = self.fetchone()[0]
            if nested_loops_allowed:
                super().execute(
                    "SELECT set_config('enable_hashjoin', %s, true), set_config('enable_mergejoin', %s, true)",
                    (hashjoin, mergejoin),
                )
            plan = plan if isinstance(plan, list) else json.loads(plan)
            relations = sorted(_relations(plan[0]["Plan"]))
            super().execute(
                "SELECT s, r, pg_relation_size(format('%%I.%%I', s, r)::regclass) / 8192"
                " FROM unnest(%s::text[], %s::text[]) AS x (s, r)",
                ([schema for schema, _ in relations], [name for _, name in relations]),
            )
            pages = {(schema, name): count for schema, name, count in self.fetchall()}
            audit.plans.append((bound, plan, pages))

    return psycopg2.connect(dsn, cursor_factory=AuditingCursor)


def _relations(node: dict) -> set:
    found = {(node["Schema"], node["Relation Name"])} if "Relation Name" in node else set()
    for child in node.get("Plans", []):
        found |= _relations(child)
    return found


DISABLE_COST = 1.0e10  # what a switched-off node costs before PostgreSQL 18, which marks it instead


def disabled_nodes(node: dict) -> list[str]:
    """The node types under ``node`` that the planner had to use although they were switched off."""
    switched_off = node.get("Disabled", node["Total Cost"] >= DISABLE_COST)
    found = [node["Node Type"]] if switched_off else []
    for child in node.get("Plans", []):
        found += disabled_nodes(child)
    return found


def rescans(plan, pages: dict) -> list[str]:
    """The nodes of an EXPLAIN (VERBOSE, FORMAT JSON) plan that are executed once per row of another
    input without being keyed on that row (see the module docstring). ``pages``: (schema, table) →
    its real size; a table of fewer than SMALL_TABLE_PAGES pages (a handful of users, say) may be
    read again per row — that is bounded — and the system catalogues are left out."""
    found: list[str] = []
    if any(schema != "pg_catalog" for schema, _ in pages):  # else: a catalogue query, bounded
        _walk(plan[0]["Plan"], found, pages)
    return found


def outline(plan) -> str:
    """A plan as indented lines: node, relation, condition, estimated rows."""
    lines = []

    def visit(node, depth):
        relation = node.get("Relation Name") or node.get("CTE Name") or node.get("Function Name") or ""
        condition = next(
            (
                f"{key}: {node[key]}"
                for key in ("Index Cond", "Hash Cond", "Merge Cond", "Join Filter", "Recheck Cond", "Filter")
                if key in node
            ),
            "",
        )
        role = node.get("Subplan Name") or node.get("Parent Relationship") or ""
        lines.append(
            f"{'  ' * depth}-> {node['Node Type']} {relation} [{role}] rows={node.get('Plan Rows')} "
            f"{condition[:140]}"
        )
        for child in node.get("Plans", []):
            visit(child, depth + 1)

    visit(plan[0]["Plan"], 0)
    return "\n".join(lines)


def _walk(node: dict, found: list[str], pages: dict, ctes: dict = None) -> None:
    ctes = {
        **(ctes or {}),
        **{
            child["Subplan Name"][4:]: child
            for child in node.get("Plans", [])
            if child.get("Subplan Name", "").startswith("CTE ")
        },
    }
    children = node.get("Plans", [])
    if node["Node Type"] == "Nested Loop":
        outer = next(child for child in children if child.get("Parent Relationship") == "Outer")
        if not _one_row(outer, ctes):  # an inner side read once is not re-read
            for child in children:
                if child.get("Parent Relationship") == "Inner":
                    _check_rescanned(child, "Nested Loop inner", found, pages)
    for child in children:
        if child.get("Parent Relationship") == "SubPlan" and not _hashed(child, node):
            _check_rescanned(child, child.get("Subplan Name", "SubPlan"), found, pages)
        _walk(child, found, pages, ctes)


def _one_row(node: dict, ctes: dict) -> bool:
    """Whether a node yields at most one row by construction (not by estimate): an aggregate without
    GROUP BY, a Result of expressions, or a scan of a CTE or subquery that is one of those."""
    kind = node["Node Type"]
    inputs = [
        child
        for child in node.get("Plans", [])
        if child.get("Parent Relationship") in ("Outer", "Inner", "Subquery", "Member")
    ]
    if kind == "Aggregate" and node.get("Strategy") == "Plain":
        return True
    if kind == "Result":
        return all(_one_row(child, ctes) for child in inputs)
    if kind == "CTE Scan" and node.get("CTE Name") in ctes:
        return _one_row(ctes[node["CTE Name"]], ctes)
    if kind in ("Subquery Scan", "Materialize", "Nested Loop"):
        return bool(inputs) and all(_one_row(child, ctes) for child in inputs)
    return False


def _hashed(node: dict, parent: dict = None) -> bool:
    """A SubPlan run once into a hash table: named "hashed SubPlan n" (before PostgreSQL 17) or used
    as "(hashed SubPlan n)" in its parent's expressions."""
    name = node.get("Subplan Name", "")
    used = json.dumps({key: value for key, value in (parent or {}).items() if key != "Plans"})
    return "hashed" in name or f"(hashed {name})" in used


def _check_rescanned(node: dict, why: str, found: list[str], pages: dict) -> None:
    """``node`` runs again for every outer row: each of its scans must be keyed on that row."""
    kind = node["Node Type"]
    own = node.get("Alias")
    if "Relation Name" in node and (
        node.get("Schema") == "pg_catalog"
        or pages.get((node.get("Schema"), node["Relation Name"]), 0) < SMALL_TABLE_PAGES
    ):
        return
    if kind in KEYED_SCANS:
        condition = node.get(KEYED_SCANS[kind], "")
        if not _refers_to_others(condition, own):
            found.append(
                f"{why}: {kind} on {node.get('Relation Name', own)} not keyed on the outer row"
                f" ({condition or 'no condition'})"
            )
        return
    if kind == "Bitmap Heap Scan":
        for child in node.get("Plans", []):
            if child.get("Parent Relationship") == "Outer":
                _check_bitmap(child, node, why, found)
        return
    if kind == "Result" and not node.get("Plans"):
        return  # one computed row
    if kind in PASS_THROUGH:
        for child in node.get("Plans", []):
            if child.get("Parent Relationship") in ("InitPlan",) or _hashed(child, node):
                continue  # evaluated once, not per outer row
            _check_rescanned(child, why, found, pages)
        return
    if kind == "Materialize":  # its child's rows, read again per outer row: as costly as they are many
        for child in node.get("Plans", []):
            _check_rescanned(child, why + " (materialized)", found, pages)
        return
    found.append(
        f"{why}: {kind} on {node.get('Relation Name', node.get('CTE Name', own))} re-scanned per outer row"
    )


def _check_bitmap(node: dict, heap: dict, why: str, found: list[str]) -> None:
    if node["Node Type"] in ("BitmapAnd", "BitmapOr"):
        for child in node.get("Plans", []):
            _check_bitmap(child, heap, why, found)
        return
    condition = node.get("Index Cond", "")
    if not _refers_to_others(condition, heap.get("Alias")):
        found.append(
            f"{why}: Bitmap Heap Scan on {heap.get('Relation Name')} not keyed on the outer row ({condition})"
        )


def _refers_to_others(condition: str, own_alias: str) -> bool:
    """Whether an (EXPLAIN VERBOSE) condition names a column of another relation, i.e. depends on
    the outer row; string literals are ignored."""
    without_literals = re.sub(r"'(?:[^']|'')*'", "''", condition)
    return any(alias != own_alias for alias in QUALIFIED.findall(without_literals))


def analyze_from_another_session(dsn: str, tables: Sequence[str]) -> None:
    """ANALYZE ``tables`` from a second session, as autovacuum does. Called while the test's own
    transaction still holds the rows it inserted, uncommitted, it leaves exactly the statistics of an
    autovacuum that came by during a bulk INSERT: every page counted, no live row on them — the
    planner then estimates one row, whatever the table holds once that transaction commits."""
    with closing(psycopg2.connect(dsn)) as other:
        other.autocommit = True
        with other.cursor() as cur:
            cur.execute("ANALYZE " + ", ".join(tables))


def estimated_rows(conn, table: str) -> float:
    """The planner's row estimate for a whole-table scan."""
    with conn.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) SELECT * FROM {table}")
        plan = cur.fetchone()[0]
    return plan[0]["Plan"]["Plan Rows"]
