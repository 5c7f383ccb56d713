"""Plans that do not depend on statistics.

PostgreSQL's planner takes a table's row count from its statistics, and those can be badly wrong:
autovacuum's ANALYZE that comes by while a bulk INSERT is not committed yet (migrate-costs filling
TRUNCATEd cost tables, say) counts every page and no live row on them, so the planner estimates one
row for a table of a million — and joins it by reading the other side again for each of its rows.
Temporary tables are never analyzed by autovacuum at all. So partcost's set-based statements are
written not to depend on those numbers: a statement driven by a set of keys (a batch, the changed
rows) reaches the big tables only through keyed lookups (a correlated subquery, a LATERAL subquery
or ``= ANY(keys)``) from its own, small side — a staging table with a primary key; a statement over
whole tables runs with nested loops switched off (``whole_tables``), so that every join is a hash or
merge join, linear whatever the estimates. tests/db/test_plans.py holds every phase to this."""

from collections.abc import Sequence
from contextlib import contextmanager

import psycopg2.extensions

from partcost.db.sql_files import sql_file


@contextmanager
def whole_tables(cur):
    """For the statements run inside: no nested-loop joins, for this transaction only, then the
    setting as it was. Only for statements that join whole tables, where a nested loop is never the
    right plan and only a wrong row estimate chooses one."""
    with _set_locally(
        cur,
        "enable_nestloop",
        "SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)",
    ):
        yield


# What read-only comparisons of whole tables hash with at most (PostgreSQL's own default).
COMPARISON_WORK_MEM = "4MB"


@contextmanager
def comparing_whole_tables(cur):
    """``whole_tables`` for read-only comparisons (validate, drift), with work_mem lowered to at most
    ``COMPARISON_WORK_MEM`` for this transaction. PostgreSQL then joins and groups in batches whose hash
    tables fit the processor's caches, which it probes faster than one hash table of a hundred MB: at
    1,000,000 tasks validate took 6.6 s instead of 8.2 s and drift 2.1 s instead of 2.4 s, both the same
    at 100,000 (docs/performance.md, "What is flat"). Not for writes: migrate-costs' joins were slower
    so. A lower work_mem the server already has is kept.

    >>> with comparing_whole_tables(cur):
    ...     cur.execute(sql_file("night/drift_part_costs"))
    """
    work_mem = sql_file("db/work_mem_at_most")
    with whole_tables(cur), _set_locally(cur, "work_mem", work_mem, {"most": COMPARISON_WORK_MEM}):
        yield


@contextmanager
def _set_locally(cur, name: str, statement: str, params: dict | None = None):
    """For the statements run inside: the setting ``name`` as ``statement`` changes it, for this
    transaction only (set_config(…, true) is SET LOCAL), then as it was. ``statement`` returns the
    setting as it was in its first column."""
    with cur.connection.cursor() as own:  # a plain cursor, whatever kind of rows ``cur`` returns
        own.execute(statement, params)
        before = own.fetchone()[0]
    yield
    with cur.connection.cursor() as own:
        own.execute("SELECT set_config(%s, %s, true)", (name, before))


def refresh_statistics(conn, tables: Sequence[str]) -> list:
    """ANALYZE those of ``tables`` this role may (their owner, a superuser, or on PostgreSQL 17+ a role
    granted MAINTAIN), inside the caller's transaction; returns the others, left as they are (ANALYZE
    would skip them with a warning). Nothing of partcost's depends on the statistics being right (see
    ``whole_tables``), but the application's own queries and the next night's do."""
    with conn.cursor() as cur:
        cur.execute(sql_file("db/tables_this_role_may_analyze"), {"tables": list(tables)})
        allowed = {name for name, may in cur.fetchall() if may}
        if allowed:
            cur.execute(
                "ANALYZE "
                + ", ".join(psycopg2.extensions.quote_ident(t, conn) for t in tables if t in allowed)
            )
    return [table for table in tables if table not in allowed]
