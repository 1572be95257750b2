"""Intake under test: the real app, a fresh database and a fresh nats-server per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qn_infra.embedded_broker import NatsServer
from qn_intake.app import create_app
from qn_intake.config import IntakeSettings
from qn_testkit.auth import Tokens
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import REPO, running_app

DEMO_CITY = REPO / "deploy" / "demo-city"


@dataclass
class Intake:
    client: TestClient
    nats_url: str
    tokens: Tokens
    settings: IntakeSettings

    def staff(self, **kwargs: str) -> dict[str, str]:
        return self.tokens.headers("team_staff", **kwargs)


@pytest.fixture
def intake_settings(
    databases: DatabaseFactory, nats_server: NatsServer, tokens: Tokens, tmp_path: Path
) -> IntakeSettings:
    return IntakeSettings(
        database_url=databases.create("intake"),
        nats_url=nats_server.url,
        auth_jwks_file=tokens.jwks_file,
        data_dir=tmp_path,
        city_dir=DEMO_CITY,
        outbox_poll_seconds=0.1,
    )


@pytest.fixture
def intake(intake_settings: IntakeSettings, nats_server: NatsServer, tokens: Tokens) -> Iterator[Intake]:
    with running_app(
        create_app(intake_settings), migrations_of="intake", database_url=intake_settings.database_url
    ) as client:
        yield Intake(client, nats_server.url, tokens, intake_settings)
