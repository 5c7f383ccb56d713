"""Parts, their operations and timers, and the parts' labour costs."""

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        from tasks import signals

        signals.connect()
