"""Recompute: every part's labour hours and costs, per part and per worker, from its timers.

The pipeline, one module per stage: ``scope`` (which parts) → ``load`` (COPY into polars) →
``split`` (work windows) → ``price`` (wages and FX) → ``aggregate`` (sums and rounding), composed
purely in ``compute`` → ``write`` (COPY back, in the scope's transaction). ``worker`` runs one scope,
``pool`` runs partitions in worker processes, ``ledger`` records runs and ``changes`` tells which partitions to skip,
``drain`` serves the app's recalculation queue, and ``run`` ties a whole recompute together."""
