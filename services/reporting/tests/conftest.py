"""Reporting under test: the real app, a fresh database and a fresh nats-server per test, and
events published as producers publish them (CloudEvents headers, `Nats-Msg-Id`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qn_contracts import Event, EventMeta, encode
from qn_contracts.wire import WireMessage
from qn_infra.clock import TickingClock
from qn_infra.embedded_broker import NatsServer
from qn_reporting.app import create_app
from qn_reporting.config import ReportingSettings
from qn_testkit.auth import Tokens
from qn_testkit.services import running_app
from qn_testkit.streams import consumer_backlog, publish_raw
from qn_testkit.waiting import eventually


@dataclass
class Reporting:
    client: TestClient
    nats_url: str
    tokens: Tokens
    settings: ReportingSettings
    clock: TickingClock
    """The producers' clock, the same as reporting's: an event happens now unless told `at`."""

    def committee(self, **kwargs: str) -> dict[str, str]:
        return self.tokens.headers("committee", **kwargs)

    def office(self, **kwargs: str) -> dict[str, str]:
        """An admin of the statistics office: the only role that reads raw cells (/counts, /sums)."""
        return self.tokens.headers("admin", **kwargs)

    def wire(self, event: Event, at: str | None = None) -> WireMessage:
        """An event as its producer would put it on the wire, at ce-time `at` or now."""
        meta = EventMeta.for_event(event, time=datetime.fromisoformat(at) if at else self.clock.now())
        return encode(event, meta)

    def send(self, message: WireMessage, **headers: str) -> None:
        asyncio.run(publish_raw(self.nats_url, message.subject, message.body, {**message.headers, **headers}))

    def publish(self, event: Event, at: str | None = None) -> WireMessage:
        message = self.wire(event, at)
        self.send(message)
        return message

    def pending(self, durable: str, stream: str = "QN_INTAKE") -> int:
        """What a consumer of reporting has not acknowledged yet."""
        return asyncio.run(consumer_backlog(self.nats_url, stream, durable))

    def counts(self, **params: str) -> dict[str, Any]:
        response = self.client.get("/counts", params=params, headers=self.office())
        assert response.status_code == 200, response.text
        return response.json()

    def total(self, metric: str, **params: str) -> int:
        return int(self.counts(metric=metric, **params)["total"])

    def wait_for_total(self, metric: str, expected: int, **params: str) -> None:
        eventually(lambda: self.total(metric, **params) == expected, what=f"{expected} x {metric} {params}")


@pytest.fixture
def reporting_settings(service_settings: Callable[..., ReportingSettings]) -> ReportingSettings:
    return service_settings(ReportingSettings, consumer_backoff_seconds=(0.2, 0.5))


@contextmanager
def started(
    settings: ReportingSettings, nats_server: NatsServer, tokens: Tokens, clock: TickingClock
) -> Iterator[Reporting]:
    """Reporting running and ready: streams declared and its durable consumers in place."""
    app = create_app(settings, clock=clock)
    with running_app(app, migrations_of="reporting", database_url=settings.database_url) as client:
        eventually(lambda: client.get("/readyz").status_code == 200, what="reporting ready")
        yield Reporting(client, nats_server.url, tokens, settings, clock)


@pytest.fixture
def start_reporting(
    reporting_settings: ReportingSettings, nats_server: NatsServer, tokens: Tokens, clock: TickingClock
) -> Callable[[], AbstractContextManager[Reporting]]:
    """Starts reporting on this test's database and broker and clock; may be called again after a stop."""
    return lambda: started(reporting_settings, nats_server, tokens, clock)


@pytest.fixture
def reporting(start_reporting: Callable[[], AbstractContextManager[Reporting]]) -> Iterator[Reporting]:
    with start_reporting() as running:
        yield running
