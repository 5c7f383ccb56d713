"""``python manage.py partcost_backup``: Phase 1 steps 3-4, as ``partcost backup``. It needs no
migration applied: the runbook takes the backup before Phase 2 (``manage.py migrate``)."""

from partcost.cli.migration import backup
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = backup
    example = "python manage.py partcost_backup --out /backups"
    needs_migrations_applied = False
