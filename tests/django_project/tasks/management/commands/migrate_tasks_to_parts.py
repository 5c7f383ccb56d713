from tasks.management.commands._stand_in import StandInCommand


class Command(StandInCommand):
    help = "Stand-in for the app's own migrate_tasks_to_parts."
    command_name = "migrate_tasks_to_parts"
