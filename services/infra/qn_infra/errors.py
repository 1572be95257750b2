"""Errors a user can act on, in German and English, naming the field at fault. Plain Python: a
service's domain module subclasses `Problem` without importing any framework, and its `api.py`
maps each subclass to an HTTP status in one table."""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """Base of every expected error. `field` names the input at fault (`address.street`)."""

    code: str = "problem"

    def __init__(self, de: str, en: str, *, field: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(en)
        self.de = de
        self.en = en
        self.field = field
        self.extra = extra or {}

    def message(self, language: str) -> str:
        return self.de if language == "de" else self.en


class Unauthenticated(Problem):
    code = "unauthenticated"


class Forbidden(Problem):
    code = "forbidden"


class NotFound(Problem):
    code = "not_found"


class Conflict(Problem):
    code = "conflict"


class Invalid(Problem):
    code = "invalid"


class Unavailable(Problem):
    """Something the service needs is down (the identity provider's key set): retry shortly."""

    code = "unavailable"
    retry_after_seconds = 5
