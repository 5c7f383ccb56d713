"""``python manage.py partcost_restore FILE --yes``: the runbook's rollback plan from a backup, as
``partcost restore``. It needs no migration applied: the backup may predate Phase 2."""

from partcost.cli.migration import restore
from partcost.django.command import PartcostCommand


class Command(PartcostCommand):
    click_command = restore
    example = "python manage.py partcost_restore /backups/backup_migration_20240301_220000.dump --yes"
    needs_migrations_applied = False
