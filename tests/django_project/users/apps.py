"""Workers' wage rates (the workers themselves are django.contrib.auth's users)."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
