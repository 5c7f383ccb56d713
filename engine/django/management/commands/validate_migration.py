"""``python manage.py validate_migration [--json] [--app-checks]``: the runbook's Phase 5, as
``partcost validate``; ``--app-checks`` then checks the application through its own models
(``partcost.django.app_checks``)."""

from partcost.cli.migration import validate
from partcost.django.command import PartcostCommand
from partcost.errors import ExitStatus


class Command(PartcostCommand):
    click_command = validate
    example = "python manage.py validate_migration --app-checks"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--app-checks",
            action="store_true",
            help="Then load every migrated part and its operation, resolve a sample of timers and start "
            "and stop a test timer (rolled back), all through the project's own models.",
        )

    def run_partcost(self, session, options) -> ExitStatus:
        status = super().run_partcost(session, options)
        if not options["app_checks"]:
            return status
        checks = session.host.app_checks()
        self.stdout.write("")
        self.stdout.write("APP CHECKS (through the project's own models)")
        for check in checks:
            self.stdout.write(f"   {'✓' if check.passed else '✗'} {check.item}: {check.evidence}")
        passed = all(check.passed for check in checks)
        self.stdout.write("APP CHECKS PASSED" if passed else "APP CHECKS FAILED")
        return status if passed else max(status, ExitStatus.FAILED)
