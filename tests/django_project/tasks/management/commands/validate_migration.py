from tasks.management.commands._stand_in import StandInCommand


class Command(StandInCommand):
    help = "Stand-in for the app's own validate_migration."
    command_name = "validate_migration"
