"""partcost: the night migration of machining tasks to parts/operations, and the exact recompute
of every part's labour hours and costs, for the factory's PostgreSQL database.

The package is a library with one module per stage; ``cli`` is a thin click layer over it."""
