"""``python manage.py partcost_night_run``: the whole runbook in one command, as ``partcost night-run``, with the app checks last."""

from partcost.cli.night_run import night_run_command
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = night_run_command
    example = "python manage.py partcost_night_run --backup-dir /backups --workers 4"
