"""Fixtures the night's tests share."""

import pytest

import partcost.db.beside
from partcost.errors import PartcostError


@pytest.fixture
def no_second_connection(monkeypatch):
    """Work the night moves beside its own connection (``Beside``) gets no connection of its own, as
    under a role's connection limit."""

    def refused(dsn, application_name):
        raise PartcostError('cannot connect to the database: too many connections for role "night"')

    monkeypatch.setattr(partcost.db.beside, "connection", refused)
