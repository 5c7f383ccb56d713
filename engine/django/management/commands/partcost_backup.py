"""``python manage.py partcost_backup``: Phase 1 steps 3-4, as ``partcost backup``."""

from partcost.cli.migration import backup
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = backup
    example = "python manage.py partcost_backup --out /backups"
