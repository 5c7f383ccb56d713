"""``python manage.py validate_migration [--json] [--app-checks]``: the runbook's Phase 5, as
``partcost validate``; ``--app-checks`` then checks the application through its own models
(``partcost.django.app_checks``), as more lines or, with ``--json``, as ``"app_checks"`` in the same
JSON document."""

import io
import json
from dataclasses import asdict

from django.core.management.base import OutputWrapper

from partcost.cli.migration import json_text, validate
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

    def run_partcost(self, session, options, stdout=None) -> ExitStatus:
        if not options["app_checks"]:
            return super().run_partcost(session, options, stdout)
        document = io.StringIO()
        status = super().run_partcost(
            session, options, OutputWrapper(document) if options["as_json"] else None
        )
        checks = session.host.app_checks()
        passed = all(check.passed for check in checks)
        if options["as_json"]:
            validation = json.loads(document.getvalue())
            self.stdout.write(json_text({**validation, "app_checks": [asdict(check) for check in checks]}))
        else:
            self.stdout.write("")
            self.stdout.write("APP CHECKS (through the project's own models)")
            for check in checks:
                self.stdout.write(f"   {check.line()}")
            self.stdout.write("APP CHECKS PASSED" if passed else "APP CHECKS FAILED")
        return status if passed else max(status, ExitStatus.FAILED)
