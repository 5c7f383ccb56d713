"""Migration: the runbook's phases that move tasks to parts/operations.

``preflight`` (is it safe to start) → ``backup`` → ``migrate_tasks`` → ``migrate_costs`` →
``validate``; ``record`` keeps what a run moved so that ``rollback`` can undo exactly that, and
``status`` counts what is where."""
