from django.db import models


class Machine(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class MachineFault(models.Model):
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="faults")
    description = models.TextField(null=True, blank=True)
