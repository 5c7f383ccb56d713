from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from machining.models import BaseTask, LabourCost


class DowntimeReason(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class Part(models.Model):
    """A part to make; its work is its operations. ``task_key`` is the machining task it was
    migrated from (none for parts made in the new system)."""

    key = models.CharField(max_length=255, primary_key=True)
    name = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    task_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    job_no = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    image_no = models.CharField(max_length=255, null=True, blank=True)
    position_no = models.CharField(max_length=255, null=True, blank=True)
    quantity = models.IntegerField(null=True, blank=True)
    material = models.CharField(max_length=255, null=True, blank=True)
    dimensions = models.CharField(max_length=255, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    finish_time = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts_created",
    )
    created_at = models.BigIntegerField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts_completed",
    )
    completion_date = models.BigIntegerField(null=True, blank=True)
    # In the app a reference to the planning app's department requests, not modelled here.
    department_request_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return self.key


class Operation(BaseTask):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="operations")
    order = models.PositiveIntegerField()
    interchangeable = models.BooleanField(default=False)

    class Meta(BaseTask.Meta):
        unique_together = [("part", "order")]
        ordering = ["part", "order"]


class Timer(models.Model):
    """A worker's stretch of time on a task or operation (``issue_key``); epoch milliseconds."""

    PRODUCTIVE = "productive"
    DOWNTIME = "downtime"
    TIMER_TYPES = [(PRODUCTIVE, "Productive"), (DOWNTIME, "Downtime")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timers")
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    start_time = models.BigIntegerField()
    finish_time = models.BigIntegerField(null=True, blank=True)
    manual_entry = models.BooleanField(default=False)
    comment = models.TextField(null=True, blank=True)
    machine_fk = models.ForeignKey(
        "machines.Machine", on_delete=models.SET_NULL, null=True, blank=True, related_name="timers"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.CharField(max_length=255, null=True, blank=True)
    issue_key = GenericForeignKey("content_type", "object_id")
    timer_type = models.CharField(max_length=20, choices=TIMER_TYPES, default=PRODUCTIVE)
    downtime_reason = models.ForeignKey(
        DowntimeReason, on_delete=models.PROTECT, null=True, blank=True, related_name="timers"
    )
    related_fault = models.ForeignKey(
        "machines.MachineFault", on_delete=models.SET_NULL, null=True, blank=True, related_name="timers"
    )

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            # A worker runs at most one timer per machine and task at a time.
            models.UniqueConstraint(
                fields=["user", "machine_fk", "content_type", "object_id"],
                condition=Q(finish_time__isnull=True),
                name="tasks_timer_unique_active_timer",
            ),
        ]


# The runbook's Phase 2 (migration 0002): a part's labour costs, per part and per worker, and the
# queue of parts whose costs must be recomputed.


class PartCostAgg(LabourCost):
    part = models.OneToOneField(Part, on_delete=models.CASCADE, primary_key=True, related_name="cost_agg")


class PartCostAggUser(LabourCost):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="user_costs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="part_costs")

    class Meta:
        db_table = "tasks_partcostaguser"  # sic: one "g", as in production
        unique_together = [("part", "user")]


class PartCostRecalcQueue(models.Model):
    part = models.OneToOneField(Part, on_delete=models.CASCADE, primary_key=True, related_name="recalc_queue")
    enqueued_at = models.DateTimeField(default=timezone.now, db_index=True)
