"""``python manage.py partcost_stop``: stop a running recompute or drain-queue gracefully, as
``partcost stop`` (the stop file in the project's BASE_DIR, as the runbook's ``touch``)."""

from partcost.cli.recompute import stop
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = stop
    example = "python manage.py partcost_stop"
    needs_migrations_applied = False
