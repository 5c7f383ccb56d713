from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class BaseTask(models.Model):
    """What a machining task and a part's operation share: who made and finished it, and its slot
    in a machine's plan. Times ending in ``_ms`` and ``created_at``/``completion_date`` are epoch
    milliseconds."""

    key = models.CharField(max_length=255, primary_key=True)
    name = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    quantity = models.IntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)s_created",
    )
    created_at = models.BigIntegerField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)s_completed",
    )
    completion_date = models.BigIntegerField(null=True, blank=True)
    is_hold_task = models.BooleanField(default=False)
    estimated_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    machine_fk = models.ForeignKey(
        "machines.Machine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
    )
    finish_time = models.DateField(null=True, blank=True)
    in_plan = models.BooleanField(default=False)
    planned_start_ms = models.BigIntegerField(null=True, blank=True)
    planned_end_ms = models.BigIntegerField(null=True, blank=True)
    plan_order = models.IntegerField(null=True, blank=True)
    plan_locked = models.BooleanField(default=False)

    class Meta:
        abstract = True
        constraints = [
            # One task per slot of a machine's plan.
            models.UniqueConstraint(
                fields=["machine_fk", "plan_order"],
                condition=Q(plan_order__isnull=False) & Q(in_plan=True),
                name="%(app_label)s_%(class)s_unique_machine_plan_order",
            ),
        ]

    def __str__(self):
        return self.key


class LabourCost(models.Model):
    """Hours and costs split into working week (ww), after hours (ah) and Sunday (su)."""

    job_no_cached = models.CharField(max_length=100, db_index=True)
    currency = models.CharField(max_length=3, default="EUR")
    hours_ww = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    hours_ah = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    hours_su = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    cost_ww = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    cost_ah = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    cost_su = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    total_cost = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Task(BaseTask):
    job_no = models.CharField(max_length=255, null=True, blank=True)
    image_no = models.CharField(max_length=255, null=True, blank=True)
    position_no = models.CharField(max_length=255, null=True, blank=True)


class JobCostAgg(LabourCost):
    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="cost_agg")


class JobCostAggUser(LabourCost):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="user_costs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_costs")

    class Meta:
        unique_together = [("task", "user")]
