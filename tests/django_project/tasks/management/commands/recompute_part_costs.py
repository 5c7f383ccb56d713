from tasks.management.commands._stand_in import StandInCommand


class Command(StandInCommand):
    help = "Stand-in for the app's own recompute_part_costs."
    command_name = "recompute_part_costs"
