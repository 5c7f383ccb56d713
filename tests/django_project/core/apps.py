"""Shared data: the daily currency rate snapshots."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
