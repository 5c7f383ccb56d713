"""Stand-ins for the app's own management commands: same names, same flags, one line of output,
so that tests can see which app's command Django runs when partcost's app has one of the name."""

from django.core.management.base import BaseCommand


class StandInCommand(BaseCommand):
    command_name = ""

    def add_arguments(self, parser):
        parser.add_argument("rest", nargs="*")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--limit")
        parser.add_argument("--workers")
        parser.add_argument("--part-key")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        self.stdout.write(f"the app's own {self.command_name}")
