from tasks.management.commands._stand_in import StandInCommand


class Command(StandInCommand):
    help = "Stand-in for the app's own migrate_job_costs."
    command_name = "migrate_job_costs"
