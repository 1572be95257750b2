"""Matching under test: the real app, a fresh database and a fresh nats-server per test; help
requests arrive as real CloudEvents on the broker, the way intake publishes them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import nats
import pytest
from fastapi.testclient import TestClient

from qn_contracts import EventMeta, encode
from qn_contracts.intake import HelpRequested
from qn_contracts.vocabulary import Urgency
from qn_infra.clock import TickingClock
from qn_infra.embedded_broker import NatsServer
from qn_infra.pseudonyms import ensure_pseudonym_key
from qn_matching.app import create_app
from qn_matching.config import MatchingSettings
from qn_testkit.auth import Tokens
from qn_testkit.services import REPO, running_app
from qn_testkit.streams import StoredMessage, publish_raw, read_stream
from qn_testkit.waiting import eventually

DEMO_CITY = REPO / "deploy" / "demo-city"
CONSUMER = "matching-help-requested"


def help_requested(**overrides: Any) -> HelpRequested:
    """A HelpRequested as intake builds it (shopping in Innenstadt Süd unless told otherwise)."""
    data: dict[str, Any] = {
        "help_request_id": uuid.uuid4(),
        "concern_id": uuid.uuid4(),
        "quarter_id": "innenstadt-sued",
        "help_kind": "shopping",
        "skills": ["shopping"],
        "languages": [],
        "urgency": Urgency.SOON,
    }
    data.update(overrides)
    return HelpRequested(**data)


def volunteer_body(name: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "display_name": name,
        "contact": "Tel. 0340 555 01 23",
        "quarter_id": "innenstadt-sued",
        "skills": ["shopping"],
        "languages": ["de"],
        "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
    }
    body.update(overrides)
    return body


async def _consumer_drained(url: str, consumer: str) -> bool:
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().consumer_info("QN_INTAKE", consumer)
        return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0
    finally:
        await nc.close()


@dataclass
class Matching:
    client: TestClient
    nats_url: str
    tokens: Tokens
    settings: MatchingSettings
    clock: TickingClock
    """The service's clock: `matching.clock.advance(hours=48)` lets two days pass."""

    body = staticmethod(volunteer_body)
    help_requested = staticmethod(help_requested)

    def coordinator(self, **kwargs: str) -> dict[str, str]:
        return self.tokens.headers("coordinator", **kwargs)

    def volunteer(self, account: str) -> dict[str, str]:
        return self.tokens.headers("volunteer", subject=account)

    def register(self, name: str, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/volunteers", json=volunteer_body(name, **overrides), headers=self.coordinator())
        assert response.status_code == 201, response.text
        return response.json()

    def publish(
        self, event: HelpRequested, *, event_id: uuid.UUID | None = None, msg_id: str | None = None
    ) -> EventMeta:
        """Publishes the event with real CloudEvents headers, as intake's outbox relay does, at
        the service's time."""
        meta = EventMeta.for_event(event, event_id=event_id, time=self.clock.now())
        message = encode(event, meta)
        headers = dict(message.headers)
        if msg_id is not None:
            headers["Nats-Msg-Id"] = msg_id  # lets the stream store a redelivery it would otherwise drop
        asyncio.run(publish_raw(self.nats_url, message.subject, message.body, headers))
        return meta

    def help_request(self, help_request_id: uuid.UUID) -> dict[str, Any]:
        def received() -> dict[str, Any] | None:
            response = self.client.get(f"/help-requests/{help_request_id}", headers=self.coordinator())
            return response.json() if response.status_code == 200 else None

        found = eventually(received, what=f"help request {help_request_id} in matching")
        assert found is not None
        return found

    def events(self, ce_type: str, **fields: str) -> list[StoredMessage]:
        return [
            m
            for m in read_stream(self.nats_url, "QN_MATCHING")
            if m.headers.get("ce-type") == ce_type
            and isinstance(m.body, dict)
            and all(str(m.body.get(k)) == v for k, v in fields.items())
        ]

    def wait_for_event(self, ce_type: str, count: int = 1, **fields: str) -> list[StoredMessage]:
        return eventually(
            lambda: (found := self.events(ce_type, **fields)) and len(found) >= count and found,
            what=f"{count} x {ce_type} {fields}",
        )

    def wait_until_consumed(self, consumer: str = CONSUMER) -> None:
        """Waits until `consumer` (a durable of matching) has handled everything sent to it."""
        eventually(lambda: asyncio.run(_consumer_drained(self.nats_url, consumer)), what=f"{consumer} drained")


@pytest.fixture
def matching_settings(service_settings: Callable[..., MatchingSettings]) -> MatchingSettings:
    settings = service_settings(MatchingSettings, city_dir=DEMO_CITY, consumer_backoff_seconds=(0.2, 0.5))
    # the key intake shares (decision 0013), where the settings look for it by default
    ensure_pseudonym_key(settings.data_dir / "keys")
    return settings


@pytest.fixture
def start_matching(
    matching_settings: MatchingSettings, nats_server: NatsServer, tokens: Tokens, clock: TickingClock
) -> Callable[..., Any]:
    """`with start_matching(expiry_check_seconds=0.2) as matching:` -- the app with changed
    settings, on the test's clock."""

    @contextmanager
    def start(**overrides: Any) -> Iterator[Matching]:
        settings = matching_settings.model_copy(update=overrides)
        app = create_app(settings, clock=clock)
        with running_app(app, migrations_of="matching", database_url=settings.database_url) as client:
            eventually(lambda: client.get("/readyz").status_code == 200, what="matching ready (streams and consumer)")
            yield Matching(client, nats_server.url, tokens, settings, clock)

    return start


@pytest.fixture
def matching(start_matching: Callable[..., Any]) -> Iterator[Matching]:
    with start_matching() as started:
        yield started
