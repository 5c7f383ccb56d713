"""partcost as a Django app: add ``"partcost.django"`` to ``INSTALLED_APPS`` (above the project's own
``tasks`` app, so that its commands take over the runbook's names) and the runbook's
``python manage.py …`` commands run partcost, on the database of ``settings.DATABASES``.

- ``command``: the one adapter every management command is; it runs the very click command of
  the ``partcost`` CLI, so both print the same lines and end with the same exit statuses;
- ``database``: the connection parameters of a ``DATABASES`` alias as a libpq DSN;
- ``layout``: Phase 2 belongs to Django, so commands refuse while a migration is unapplied;
- ``app_checks``: the runbook's application checks, through the project's own models.

Example (the project's settings.py)::

    INSTALLED_APPS = [..., "partcost.django", "tasks", ...]
"""
