"""Intake under test: the real app, a fresh database and a fresh nats-server per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from qn_infra.clock import TickingClock
from qn_infra.embedded_broker import NatsServer
from qn_infra.pseudonyms import ensure_pseudonym_key
from qn_intake.app import create_app
from qn_intake.config import IntakeSettings
from qn_testkit.auth import Tokens
from qn_testkit.services import REPO, running_app

DEMO_CITY = REPO / "deploy" / "demo-city"


@dataclass
class Intake:
    client: TestClient
    nats_url: str
    tokens: Tokens
    settings: IntakeSettings
    clock: TickingClock

    def staff(self, **kwargs: str) -> dict[str, str]:
        """Team staff of the Innenstadt team (the demo city's Franzstraße is theirs)."""
        return self.tokens.headers("team_staff", **{"team": "team-innenstadt", **kwargs})


@pytest.fixture
def intake_settings(service_settings: Callable[..., IntakeSettings]) -> IntakeSettings:
    settings = service_settings(IntakeSettings, city_dir=DEMO_CITY)
    # the key matching shares (decision 0013), where the settings look for it by default
    ensure_pseudonym_key(settings.data_dir / "keys")
    return settings


@pytest.fixture
def intake(
    intake_settings: IntakeSettings, nats_server: NatsServer, tokens: Tokens, clock: TickingClock
) -> Iterator[Intake]:
    """Intake on the test's day (the `clock` fixture), with a real broker and database."""
    with running_app(
        create_app(intake_settings, clock=clock), migrations_of="intake", database_url=intake_settings.database_url
    ) as client:
        yield Intake(client, nats_server.url, tokens, intake_settings, clock)
