from django.conf import settings
from django.db import models


class WageRate(models.Model):
    """A worker's monthly wage from a date on, and the multipliers for after-hours and Sunday work."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wage_rates")
    effective_from = models.DateField(db_index=True)
    currency = models.CharField(max_length=3, default="EUR")
    base_monthly = models.DecimalField(max_digits=12, decimal_places=4)
    after_hours_multiplier = models.DecimalField(max_digits=6, decimal_places=3, default=1.5)
    sunday_multiplier = models.DecimalField(max_digits=6, decimal_places=3, default=2)
    note = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        unique_together = [("user", "effective_from")]
        ordering = ["user", "-effective_from"]
