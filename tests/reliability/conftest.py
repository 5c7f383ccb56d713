"""A small factory for the reliability scenarios: enough parts to fill four partitions, two paid
workers, one without a wage, FX with a gap, work across days, evenings and a Sunday."""

import pytest


@pytest.fixture
def factory(build):
    paid, better_paid, unpaid = build.user(), build.user(), build.user()
    build.wage(paid, "2024-01-01", 30000)
    build.wage(better_paid, "2024-01-01", 42000.5)
    build.wage(better_paid, "2024-03-07", 45000)
    build.fx("2024-01-01", 0.0281)
    build.fx("2024-03-08", 0.0279)
    for n in range(48):
        part = build.part(f"PT-{n:03}", job_no=f"J-{n % 7}")
        build.operation(f"{part}-OP-1", part)
        build.timer(paid, f"{part}-OP-1", "2024-03-04 07:00", f"2024-03-04 {10 + n % 9}:15")
        if n % 3 == 0:
            build.timer(better_paid, f"{part}-OP-1", "2024-03-10 09:00", "2024-03-10 11:30:45.5")
        if n % 5 == 0:
            build.timer(unpaid, f"{part}-OP-1", "2024-03-08 16:00", "2024-03-09 01:20")
    build.commit()
    return build
