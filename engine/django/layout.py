"""Phase 2 belongs to Django: under Django partcost never creates a table, and refuses to work while
a migration of an app whose tables it reads or writes is unapplied, naming the command that applies
them (the runbook's own ``python manage.py migrate``).

Example::

    require_migrated("default")  # PartcostError: 1 migration not applied (tasks.0006_…): run …
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from partcost.db.schema import MIGRATION_TABLES
from partcost.errors import PartcostError

# auth_user: partcost reads which users exist, and writes rows that refer to them.
TOUCHED_TABLES = {*MIGRATION_TABLES, "auth_user"}
SHOWN = 5


def touched_apps() -> set[str]:
    """The project's apps whose models own a table partcost reads or writes."""
    return {model._meta.app_label for model in apps.get_models() if model._meta.db_table in TOUCHED_TABLES}


def migration_state(alias: str) -> tuple[list[str], list[str]]:
    """(the touched apps the project has, ``app.migration`` for every migration that applying their
    latest ones still needs, in the order ``migrate`` would apply them, dependencies in other apps
    included)."""
    executor = MigrationExecutor(connections[alias])
    touched = touched_apps()
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] in touched]
    plan = executor.migration_plan(targets)
    unapplied = [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]
    return sorted({app for app, _ in targets}), unapplied


def migrate_command(alias: str) -> str:
    return "python manage.py migrate" + ("" if alias == DEFAULT_DB_ALIAS else f" --database {alias}")


def require_migrated(alias: str) -> str:
    """One line saying the migrations are applied, or a PartcostError (exit status 2) naming them."""
    apps, unapplied = migration_state(alias)
    if unapplied:
        shown = ", ".join(unapplied[:SHOWN]) + (", …" if len(unapplied) > SHOWN else "")
        raise PartcostError(
            f"{len(unapplied)} Django migration(s) not applied ({shown}): run `{migrate_command(alias)}`"
            " first (the runbook's Phase 2); partcost never creates the application's tables"
        )
    return f"Django's migrations of {', '.join(apps)} are applied (Phase 2 is `{migrate_command(alias)}`)"
