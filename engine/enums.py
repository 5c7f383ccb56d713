"""Statuses whose members are their text: stored in the database, written to the reports and
printed as exactly that text (what ``enum.StrEnum`` does from Python 3.11 on)."""

from enum import Enum


class TextEnum(str, Enum):
    __str__ = str.__str__
