"""The recompute tests' shared factory."""

import pytest


@pytest.fixture
def factory(build):
    """Forty parts with a day's work each, a wage and FX: enough to fill several partitions."""
    worker_a, worker_b = build.user(), build.user()
    build.wage(worker_a, "2024-01-01", 30000)
    build.wage(worker_b, "2024-01-01", 42000.5)
    build.fx("2024-01-01", 0.0281)
    for n in range(40):
        part = build.part(f"PT-{n:03}", job_no=f"J-{n % 7}")
        build.operation(f"{part}-OP-1", part)
        build.timer(worker_a, f"{part}-OP-1", "2024-03-04 07:00", f"2024-03-04 {10 + n % 9}:15")
        if n % 3 == 0:
            build.timer(worker_b, f"{part}-OP-1", "2024-03-10 09:00", "2024-03-10 11:30:45.5")
    build.commit()
    return build
