"""The portal against a real intake: one intake process (real nats-server, real database) for the
portal's tests, and the portal app in-process in front of it, signing people in with the local
development key that intake trusts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from qn_portal.app import create_app
from qn_portal.config import PortalSettings

from qn_infra.embedded_broker import NatsServer
from qn_testkit.auth import Tokens
from qn_testkit.canaries import leaks_in_log
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import REPO, ServiceProcess

DEMO_CITY = REPO / "deploy" / "demo-city"
PORTAL_URL = "http://127.0.0.1:8000"
STAFF_INNENSTADT = "demo-staff-team-innenstadt"
STAFF_NORD = "demo-staff-team-nord"
CARITAS = "demo-carrier-caritas-dessau"
DIAKONIE = "demo-carrier-diakonie-dessau"
KUEMMERER = "demo-kuemmerer-team-innenstadt"
COORDINATOR = "demo-coordinator"


def start_intake(directory: Path, databases: DatabaseFactory, **auth: object) -> tuple[NatsServer, ServiceProcess]:
    nats = NatsServer(directory / "jetstream", log_file=directory / "nats-server.log").start()
    settings: dict[str, object] = {
        "database_url": databases.create("intake"),
        "nats_url": nats.url,
        "data_dir": directory / "intake",
        "city_dir": DEMO_CITY,
        "outbox_poll_seconds": 0.2,
        **auth,
    }
    return nats, ServiceProcess("intake", settings=settings, log_dir=directory).start()


def stop_intake(nats: NatsServer, intake: ServiceProcess) -> None:
    intake.stop()
    nats.stop()
    leaks = leaks_in_log(intake.log_path.read_text(errors="replace"), "intake log") if intake.log_path.exists() else []
    assert not leaks, "personal data in intake's log:\n" + "\n".join(leaks[:20])


@pytest.fixture(scope="session")
def intakes(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., ServiceProcess]]:
    """`intakes(auth_jwks_file=...)`: starts an intake process trusting the keys named; all stop at the end."""
    started: list[tuple[NatsServer, ServiceProcess]] = []

    def start(**auth: object) -> ServiceProcess:
        started.append(start_intake(tmp_path_factory.mktemp("portal-intake"), databases, **auth))
        return started[-1][1]

    yield start
    for nats, process in started:
        stop_intake(nats, process)


@pytest.fixture(scope="session")
def intake(intakes: Callable[..., ServiceProcess], tokens: Tokens) -> ServiceProcess:
    """Intake as a real process, trusting the test session's keys (those the local sign-in uses)."""
    return intakes(auth_jwks_file=tokens.jwks_file)


@pytest.fixture
def portal_settings(intake: ServiceProcess, tokens: Tokens) -> PortalSettings:
    return PortalSettings(
        public_url=PORTAL_URL,
        intake_url=intake.url,
        session_secret="test-session-secret",
        local_key_dir=tokens.key_dir,
        local_city_dir=DEMO_CITY,
        log_json=True,
    )


@pytest.fixture
def portal(portal_settings: PortalSettings) -> Callable[..., TestClient]:
    """`portal()` is a browser-like client of a fresh portal app (its own cookie jar);
    `portal(settings)` one with other settings."""
    opened: list[TestClient] = []

    def make(settings: PortalSettings | None = None, **app_kwargs: Any) -> TestClient:
        client = TestClient(create_app(settings or portal_settings, **app_kwargs), base_url=PORTAL_URL)
        client.__enter__()
        opened.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in opened:
        client.__exit__(None, None, None)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, user_id: str) -> TestClient:
    """Signs `client` in as a demo user through the local sign-in page, as a person would."""
    page = client.get("/anmelden")
    answer = client.post("/anmelden/lokal", data={"csrf_token": csrf_of(page.text), "user_id": user_id})
    assert answer.status_code == 200, answer.text
    return client


@pytest.fixture
def signed_in(portal: Callable[..., TestClient]) -> Callable[[str], TestClient]:
    return lambda user_id: sign_in(portal(), user_id)


def record_concern(client: TestClient, **fields: Any) -> Any:
    """Fills in "Neues Anliegen" and sends it; returns the answer (after redirects)."""
    form = client.get("/anliegen/neu")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
    assert key
    data = {
        "csrf_token": csrf_of(form.text),
        "idempotency_key": key.group(1),
        "street": "Franzstr.",
        "house_number": "147",
        "topics": ["schulden"],
        "urgency": "soon",
        "channel": "phone",
        **fields,
    }
    return client.post("/anliegen", data=data)


class Kit:
    """What the tests do as a person would, handed to them as the `kit` fixture (test modules
    cannot import this conftest under --import-mode=importlib)."""

    csrf_of = staticmethod(csrf_of)
    sign_in = staticmethod(sign_in)
    record_concern = staticmethod(record_concern)
    STAFF_INNENSTADT = STAFF_INNENSTADT
    STAFF_NORD = STAFF_NORD
    CARITAS = CARITAS
    DIAKONIE = DIAKONIE
    KUEMMERER = KUEMMERER
    COORDINATOR = COORDINATOR
    DEMO_CITY = DEMO_CITY
    PORTAL_URL = PORTAL_URL


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
