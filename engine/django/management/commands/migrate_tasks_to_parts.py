"""``python manage.py migrate_tasks_to_parts``: the runbook's Phases 3 and 4, as ``partcost migrate-tasks``."""

from partcost.cli.migration import migrate_tasks
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = migrate_tasks
    example = "python manage.py migrate_tasks_to_parts --dry-run --limit 10"
