"""Talking to PostgreSQL: ``connections``, ``copy`` (COPY to and from polars), ``sql_files``,
``catalogue`` (what tables and columns exist), ``schema`` (creating and upgrading partcost's own),
``privileges`` (the grants each command needs), ``references`` (foreign keys checked set-based) and
``plans`` (statements whose plans do not depend on statistics)."""
