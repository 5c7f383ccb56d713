"""``python manage.py partcost_drain_queue``: the parts the app queued, as ``partcost drain-queue``."""

from partcost.cli.recompute import drain_queue
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = drain_queue
    example = "python manage.py partcost_drain_queue --workers 2 --once"
