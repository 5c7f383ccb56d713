"""``python manage.py migrate_job_costs``: the runbook's Phase 4 step 3, as ``partcost migrate-costs``."""

from partcost.cli.migration import migrate_costs
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = migrate_costs
    example = "python manage.py migrate_job_costs"
