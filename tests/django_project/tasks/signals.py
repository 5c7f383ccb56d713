"""Keep the parts' costs current: a timer change on an operation queues its part for the drainer,
and a part's new job number reaches its cost rows."""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tasks.models import Operation, Part, PartCostAgg, PartCostAggUser, PartCostRecalcQueue, Timer


def connect():
    post_save.connect(queue_timer_part, sender=Timer, dispatch_uid="tasks.queue_timer_part.save")
    post_delete.connect(queue_timer_part, sender=Timer, dispatch_uid="tasks.queue_timer_part.delete")
    post_save.connect(refresh_job_no_cached, sender=Part, dispatch_uid="tasks.refresh_job_no_cached")


def queue_timer_part(sender, instance, **kwargs):
    """Queue (or bump) the part of the operation a saved or deleted timer belongs to."""
    if instance.content_type_id != ContentType.objects.get_for_model(Operation).id:
        return
    part_id = Operation.objects.filter(key=instance.object_id).values_list("part_id", flat=True).first()
    if part_id is not None:
        PartCostRecalcQueue.objects.update_or_create(
            part_id=part_id, defaults={"enqueued_at": timezone.now()}
        )


def refresh_job_no_cached(sender, instance, **kwargs):
    job_no = (instance.job_no or "")[:100]
    PartCostAgg.objects.filter(part=instance).update(job_no_cached=job_no)
    PartCostAggUser.objects.filter(part=instance).update(job_no_cached=job_no)
