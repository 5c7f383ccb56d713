"""``python manage.py partcost_rollback``: the rollback plan without a backup, as ``partcost rollback``."""

from partcost.cli.migration import rollback
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = rollback
    example = "python manage.py partcost_rollback --yes"
