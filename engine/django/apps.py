"""The app's configuration: label ``partcost``, no models (partcost writes the project's tables)."""

from django.apps import AppConfig


class PartcostConfig(AppConfig):
    name = "partcost.django"
    label = "partcost"
    verbose_name = "partcost: night migration and exact part cost recompute"
