"""``python manage.py recompute_part_costs``: the runbook's Phase 6, as ``partcost recompute``."""

from partcost.cli.recompute import recompute
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = recompute
    example = "python manage.py recompute_part_costs --workers 4"
