"""The ``partcost`` command line: options are parsed here, the work is done in ``engine``."""
