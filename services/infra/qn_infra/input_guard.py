"""Refuses the NUL character (U+0000) in requests with a 422 naming where it is.

PostgreSQL cannot store NUL in text, SQLite can: without this guard the same request would be
accepted on the embedded default and fail with a server error in production. Checked once here,
for every route of every service, instead of in each schema."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http import language, problem

_NUL_ESCAPES = (b"\\u0000", b"\\U0000")


# A place in the document as a linked list back to the root: (name, parent). Cheap to extend, so
# a wide and deep document does not cost a copy of the whole path for every value in it.
_Place = tuple[str, "_Place"] | None


def _path_to_nul(document: Any) -> tuple[str, ...] | None:
    """Where in a parsed JSON document the first string (or key) holding NUL is. Iterative, with
    an explicit stack: a document nested a few thousand levels deep must not exhaust Python's
    recursion limit (it did, with a 500 before authentication)."""
    stack: list[tuple[Any, _Place]] = [(document, None)]
    while stack:
        value, place = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return _path(place)
        elif isinstance(value, dict):
            for key in value:
                if "\x00" in key:
                    return _path((key.replace("\x00", "?"), place))
            # reversed, so that the first member is looked at first
            stack.extend((item, (key, place)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((value[index], (str(index), place)) for index in reversed(range(len(value))))
    return None


def _path(place: _Place) -> tuple[str, ...]:
    names = []
    while place is not None:
        name, place = place
        names.append(name)
    return tuple(reversed(names))


def _body_field(body: bytes) -> str | None:
    if not any(escape in body for escape in _NUL_ESCAPES) and b"\x00" not in body:
        return None
    try:
        path = _path_to_nul(json.loads(body))
    except RecursionError:
        return "body"  # deeper than the parser goes: refused either way, and it holds NUL
    except ValueError:
        return "body" if b"\x00" in body else None  # not JSON: the route's own validation answers
    if path is None:
        return None  # an escaped backslash followed by "u0000" is just text
    return ".".join(path) or "body"


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = None
        if b"%00" in scope.get("query_string", b""):
            field = "query"
        elif b"%00" in (scope.get("raw_path") or b"") or "\x00" in scope.get("path", ""):
            field = "path"
        messages: list[Message] = []
        if field is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
            field = _body_field(b"".join(m.get("body", b"") for m in messages))
        if field is not None:
            request = Request(scope)
            de = "Das Zeichen NUL (\\u0000) ist nicht erlaubt."
            en = "The NUL character (\\u0000) is not allowed."
            text = de if language(request) == "de" else en
            response = problem(request, 422, text, code="nul_character", errors=[{"field": field, "message": text}])
            await response(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
