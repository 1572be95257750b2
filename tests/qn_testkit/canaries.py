"""The personal data tests send is a canary: across the whole run, none of it may turn up in a
stream payload, a header or a subject, or in any log line (SGB X §67 ff.: social data stays in
intake; events carry pseudonymous references only).

Every test client of the suite reports the requests it sends here (`watch`); the values of
personal fields -- names, phone numbers, e-mail addresses, streets, free-text notes, birth years --
become canaries. The broker fixtures scan every stream when a test ends, the root conftest every
captured log line."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from typing import Any

import httpx

from .streams import stream_messages

STREAMS = ("QN_INTAKE", "QN_MATCHING", "QN_SCHEDULING", "QN_REPORTING", "QN_DEADLETTER")

# request fields that hold personal data, on the routes that take it
TEXT_FIELDS = {"given_name", "family_name", "phone", "email", "street", "note", "display_name"}
PUBLIC = "public"
"""An event classified public (a drop-in centre's address, the programme) may name a street: the
streets of the city are public; a person's street is personal wherever else it appears."""
PERSONAL_ROUTES = (
    "/persons",
    "/concerns",
    "/signals",
    "/consents",
    "/referrals",
    "/follow-ups",
    "/help-requests",
    "/volunteers",
    "/matches",  # a volunteer's note on declining
    "/bookings",  # a note on cancelling a room booking
)
MIN_LENGTH = 5  # shorter values ("Mia", "12") occur by chance in any text


class Canaries:
    def __init__(self) -> None:
        self._texts: set[str] = set()
        self._streets: set[str] = set()
        self._years: set[int] = set()
        self._lock = threading.Lock()

    def watch(self, request: httpx.Request) -> None:
        """An httpx request hook: remembers the personal values a request sends."""
        if request.method not in ("POST", "PUT", "PATCH") or not request.url.path.startswith(PERSONAL_ROUTES):
            return
        try:
            body = json.loads(request.content or b"null")
        except (ValueError, UnicodeDecodeError):
            return
        self._collect(body)

    def _collect(self, value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                self._collect(item, name)
        elif isinstance(value, list):
            for item in value:
                self._collect(item, key)
        elif key in TEXT_FIELDS and isinstance(value, str) and len(value.strip()) >= MIN_LENGTH:
            with self._lock:
                (self._streets if key == "street" else self._texts).add(value.strip())
        elif key == "birth_year" and isinstance(value, int) and 1890 <= value <= 2030:
            with self._lock:
                self._years.add(value)

    def found_in(self, text: str, *, public: bool = False) -> list[str]:
        """The canaries in `text`. A birth year counts where it stands as a value of a field
        (`"birth_year": 1939`, `age=1939`): a bare four-digit number occurs in ids by chance.
        Streets count unless the text is public data."""
        with self._lock:
            texts, years = set(self._texts), set(self._years)
            if not public:
                texts |= self._streets
        lowered = text.lower()
        hits = [t for t in texts if t.lower() in lowered]
        for year in years:
            if re.search(rf"""(birth|year|age|born|geburt)\w*["']?\s*[:=]\s*["']?{year}\b""", text, re.IGNORECASE):
                hits.append(str(year))
        return hits


CANARIES = Canaries()


def watch_client(client: httpx.Client) -> httpx.Client:
    """Lets `client` report the personal data it sends."""
    hooks = client.event_hooks
    hooks.setdefault("request", []).append(CANARIES.watch)
    client.event_hooks = hooks
    return client


def leaks_on_broker(url: str) -> list[str]:
    """One line per message on any stream whose subject, headers or body holds a canary."""
    return asyncio.run(_leaks_on_broker(url))


async def _leaks_on_broker(url: str) -> list[str]:
    leaks = []
    for stream in STREAMS:
        for message in await stream_messages(url, stream):
            body = message.body if isinstance(message.body, bytes) else json.dumps(message.body, ensure_ascii=False)
            text = f"{message.subject}\n{json.dumps(message.headers, ensure_ascii=False, default=str)}\n{body!s}"
            public = message.headers.get("ce-dataclassification") == PUBLIC
            for hit in CANARIES.found_in(text, public=public):
                leaks.append(f"{stream} {message.subject}: {hit!r}")
    return leaks


def leaks_in_log(text: str, where: str) -> list[str]:
    return [f"{where}: {hit!r} in {line[:300]!r}" for line in text.splitlines() for hit in CANARIES.found_in(line)]
