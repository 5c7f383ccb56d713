from django.db import models


class CurrencyRateSnapshot(models.Model):
    """One day's exchange rates: how much of each currency one unit of ``base`` buys."""

    provider = models.CharField(max_length=50, default="TCMB")
    date = models.DateField(unique=True)
    base = models.CharField(max_length=3, default="TRY")
    rates = models.JSONField()  # e.g. {"EUR": 0.0254, "USD": 0.029}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
