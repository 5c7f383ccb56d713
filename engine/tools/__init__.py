"""Tools around the night: ``seed`` (synthetic factory data), ``bench`` (capacity planning) and
``demo`` (the whole night on seeded data)."""
