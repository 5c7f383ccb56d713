"""The app's own way of draining tasks_partcostrecalcqueue, for tests to run beside partcost's.

Each queued part is handled in its own transaction: lock its queue row (skipping it when another
drainer holds it or it is gone), rewrite the part's cost rows by DELETE then INSERT, and dequeue
it. The costs themselves are a stand-in: every finished timer's time counts as working-week
hours, at no cost."""

from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from tasks.models import Operation, Part, PartCostAgg, PartCostAggUser, PartCostRecalcQueue, Timer

MS_PER_HOUR = Decimal(3_600_000)
CENT = Decimal("0.01")


def drain_like_the_app(max_rows=200) -> tuple[int, int]:
    """Recompute up to ``max_rows`` queued parts, oldest first; returns (processed, failed)."""
    part_ids = list(
        PartCostRecalcQueue.objects.order_by("enqueued_at").values_list("part_id", flat=True)[:max_rows]
    )
    processed = failed = 0
    for part_id in part_ids:
        try:
            with transaction.atomic():
                queued = (
                    PartCostRecalcQueue.objects.select_for_update(skip_locked=True)
                    .filter(part_id=part_id)
                    .first()
                )
                if queued is None:  # drained meanwhile, or another drainer holds it
                    continue
                _rewrite_costs(Part.objects.get(key=part_id))
                queued.delete()
            processed += 1
        except Exception:
            failed += 1  # rolled back: the queue row stays for the next run
    return processed, failed


def _rewrite_costs(part: Part) -> None:
    operation_keys = list(Operation.objects.filter(part=part).values_list("key", flat=True))
    timers = Timer.objects.filter(
        content_type=ContentType.objects.get_for_model(Operation),
        object_id__in=operation_keys,
        finish_time__isnull=False,
    )
    ms_by_user: dict[int, int] = defaultdict(int)
    for user_id, start, finish in timers.values_list("user_id", "start_time", "finish_time"):
        ms_by_user[user_id] += finish - start

    job_no = (part.job_no or "")[:100]
    PartCostAgg.objects.filter(part=part).delete()
    PartCostAggUser.objects.filter(part=part).delete()
    PartCostAgg.objects.create(
        part=part, job_no_cached=job_no, currency="EUR", hours_ww=_hours(sum(ms_by_user.values()))
    )
    PartCostAggUser.objects.bulk_create(
        PartCostAggUser(part=part, user_id=user_id, job_no_cached=job_no, currency="EUR", hours_ww=_hours(ms))
        for user_id, ms in ms_by_user.items()
    )


def _hours(ms: int) -> Decimal:
    return (Decimal(ms) / MS_PER_HOUR).quantize(CENT)
