"""The production layout: create it (for tests, demos and benchmarks) or upgrade a real database
to it (the runbook's Phase 2), and check that a database has what a command needs."""

from partcost.db.catalogue import fail_if_missing, missing_columns, require_columns
from partcost.db.sql_files import sql_file
from partcost.errors import PartcostError

# The tables the recompute writes (a part's hours and costs, and the same per worker), and the
# app's queue of parts to recompute.
PART_COSTS = "tasks_partcostagg"
USER_COSTS = "tasks_partcostaguser"
COST_TABLES = (PART_COSTS, USER_COSTS)
QUEUE_TABLE = "tasks_partcostrecalcqueue"

# What the runbook's Phase 2 adds, as (kind, name) in the order it adds them.
UPGRADE_ITEMS = (
    ("column", "tasks_part.task_key"),
    ("table", PART_COSTS),
    ("table", USER_COSTS),
    ("table", QUEUE_TABLE),
)

COST_COLUMNS = (
    "job_no_cached",
    "currency",
    "hours_ww",
    "hours_ah",
    "hours_su",
    "cost_ww",
    "cost_ah",
    "cost_su",
    "total_cost",
    "updated_at",
)

# The tables and columns partcost reads or writes, by the stage that needs them.
OLD_TABLES = {
    "django_content_type": ("id", "app_label", "model"),
    "machining_task": (
        "key",
        "name",
        "description",
        "quantity",
        "created_by_id",
        "created_at",
        "completed_by_id",
        "completion_date",
        "is_hold_task",
        "estimated_hours",
        "machine_fk_id",
        "finish_time",
        "in_plan",
        "planned_start_ms",
        "planned_end_ms",
        "plan_order",
        "plan_locked",
        "job_no",
        "image_no",
        "position_no",
    ),
    "machining_jobcostagg": ("task_id",) + COST_COLUMNS,
    "machining_jobcostagguser": ("task_id", "user_id") + COST_COLUMNS,
}
PART_TABLES = {
    "django_content_type": ("id", "app_label", "model"),
    "tasks_part": ("key", "name", "job_no", "task_key"),
    "tasks_operation": ("key", "part_id", "order"),
    "tasks_timer": ("id", "user_id", "start_time", "finish_time", "content_type_id", "object_id"),
    "users_wagerate": (
        "user_id",
        "effective_from",
        "base_monthly",
        "after_hours_multiplier",
        "sunday_multiplier",
        "currency",
    ),
    "core_currencyratesnapshot": ("date", "rates"),
}
PHASE2_TABLES = {
    PART_COSTS: ("part_id",) + COST_COLUMNS,
    USER_COSTS: ("part_id", "user_id") + COST_COLUMNS,
    QUEUE_TABLE: ("part_id", "enqueued_at"),
}
RECOMPUTE_TABLES = {**PART_TABLES, **PHASE2_TABLES}
MIGRATION_TABLES = {**OLD_TABLES, **RECOMPUTE_TABLES}

# A database Django made keeps the list of its applied migrations in this table.
DJANGO_MIGRATIONS = "django_migrations"
DJANGO_OWNS_LAYOUT = (
    "this database's layout is Django's (it has django_migrations): when `partcost schema upgrade` "
    "creates the Phase 2 tables, the app's later `python manage.py migrate` fails on the migration "
    'that creates them ("relation … already exists") unless that one migration is applied with '
    "`python manage.py migrate tasks <that migration> --fake`; better, let Django create them: run "
    'the runbook\'s `python manage.py migrate` (with "partcost.django" in INSTALLED_APPS, partcost '
    "then runs as `python manage.py …`)"
)

UPGRADE_HINT = "run `partcost schema upgrade` (the runbook's Phase 2) first"
WRONG_DATABASE_HINT = "is this the factory's database? (`partcost schema create` builds an empty one)"


def create(conn, upgrade: bool = True) -> None:
    """Build the production layout in an empty database; with ``upgrade=False`` stop before Phase 2."""
    if not missing_columns(conn, {"django_content_type": ()}):
        raise PartcostError(
            "the database is not empty (django_content_type exists); "
            "`schema create` builds the layout in an empty database only"
        )
    with conn.cursor() as cur:
        cur.execute(sql_file("db/schema_create_base"))
        if upgrade:
            cur.execute(sql_file("db/schema_upgrade"))
    conn.commit()


def pending_upgrades(conn) -> list:
    """The Phase 2 items this database still lacks, as ``(kind, name)``."""
    wanted = {"tasks_part": ("task_key",), **{name: () for kind, name in UPGRADE_ITEMS if kind == "table"}}
    missing = set(missing_columns(conn, wanted))
    return [(kind, name) for kind, name in UPGRADE_ITEMS if name in missing]


def django_note(conn, added: list) -> str | None:
    """What the operator must know when partcost just added Phase 2 to a database whose layout
    Django's migrations own (``added``: what ``upgrade`` returned)."""
    return DJANGO_OWNS_LAYOUT if added and managed_by_django(conn) else None


def managed_by_django(conn) -> bool:
    """Whether the database has Django's list of applied migrations (to_regclass: a role without
    privileges on the table still sees that it exists)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (DJANGO_MIGRATIONS,))
        (exists,) = cur.fetchone()
    return exists


def upgrade(conn) -> list:
    """Apply Phase 2 idempotently; returns what was added (empty when already up to date)."""
    require_columns(conn, {"tasks_part": ("key",)}, WRONG_DATABASE_HINT)
    pending = pending_upgrades(conn)
    with conn.cursor() as cur:
        cur.execute(sql_file("db/schema_upgrade"))
    conn.commit()
    return pending


def require(conn, tables) -> None:
    """Fail with one line naming what is missing when the database lacks ``tables``' columns."""
    missing = missing_columns(conn, tables)
    upgrade_names = {name for _, name in UPGRADE_ITEMS}
    only_phase2 = all(m in upgrade_names or m.split(".")[0] in upgrade_names for m in missing)
    fail_if_missing(missing, UPGRADE_HINT if only_phase2 else WRONG_DATABASE_HINT)
