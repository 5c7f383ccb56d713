"""Speed benchmarks (pytest-benchmark); not part of the default test run."""
