"""``python manage.py partcost_preflight``: before you start and Phase 1, as ``partcost preflight``."""

from partcost.cli.migration import preflight
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = preflight
    example = "python manage.py partcost_preflight"
