"""The old machining tasks and their labour costs."""

from django.apps import AppConfig


class MachiningConfig(AppConfig):
    name = "machining"
