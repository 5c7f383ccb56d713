"""Settings of the stand-in for the factory's Django project (GEMKOM's backend).

The database comes from FACTORY_DB_* environment variables (only FACTORY_DB_NAME is required).
FACTORY_PARTCOST_APP places partcost's Django app: before the factory's apps (unset, the default),
after them ("last"), or not at all ("absent").
"""

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "test-only-not-secret-factory-stand-in"
DEBUG = False
ALLOWED_HOSTS: list = []

PARTCOST_APP = os.environ.get("FACTORY_PARTCOST_APP", "first")
FACTORY_APPS = ["machines", "users", "core", "machining", "tasks"]

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
if PARTCOST_APP not in ("last", "absent"):
    INSTALLED_APPS.append("partcost.django")
INSTALLED_APPS += FACTORY_APPS
if PARTCOST_APP == "last":
    INSTALLED_APPS.append("partcost.django")

MIDDLEWARE: list = []
ROOT_URLCONF = "factory.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["FACTORY_DB_NAME"],
        "HOST": os.environ.get("FACTORY_DB_HOST", ""),
        "PORT": os.environ.get("FACTORY_DB_PORT", ""),
        "USER": os.environ.get("FACTORY_DB_USER", ""),
        "PASSWORD": os.environ.get("FACTORY_DB_PASSWORD", ""),
        "OPTIONS": json.loads(os.environ.get("FACTORY_DB_OPTIONS", "{}")),
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Istanbul"
