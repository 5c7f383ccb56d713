"""The night as one command: ``run`` goes through the runbook's phases, ``report`` writes what
happened, ``drift`` compares the recomputed costs with the old job costs."""
