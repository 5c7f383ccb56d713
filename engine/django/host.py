"""The Django project as the host partcost runs inside (``partcost.night.run.Host``): its migrations
own the layout, its models check the application.

Both go through Django's own connections, so both close them afterwards (partcost's preflight would
count an idle one as another session on the database) and turn their database errors into
partcost's one line, like any error of partcost's own connections.

Example::

    DjangoHost("default", dsn).require_layout()  # "Django's migrations of auth, … are applied …"
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db import Error as DjangoDatabaseError

from partcost.db.connections import database_error_message
from partcost.django.app_checks import app_checks
from partcost.django.layout import require_migrated
from partcost.errors import PartcostError
from partcost.night.run import AppCheck


class DjangoHost:
    def __init__(self, alias: str, dsn: str):
        self.alias, self.dsn = alias, dsn

    def require_layout(self) -> str:
        with self._through_django():
            return require_migrated(self.alias)

    def app_checks(self) -> list[AppCheck]:
        with self._through_django():
            return app_checks(self.alias)

    @contextmanager
    def _through_django(self) -> Iterator[None]:
        try:
            yield
        except DjangoDatabaseError as error:
            message = database_error_message(error.__cause__ or error, self.dsn)
            raise PartcostError(f"settings.DATABASES[{self.alias!r}], through Django: {message}") from error
        finally:
            for alias in {self.alias, DEFAULT_DB_ALIAS}:
                connections[alias].close()
