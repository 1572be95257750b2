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
from qn_infra.pseudonyms import ensure_pseudonym_key
from qn_testkit.auth import Tokens
from qn_testkit.canaries import leaks_in_log
from qn_testkit.city import City
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import REPO, ServiceProcess
from qn_testkit.waiting import eventually

DEMO_CITY = REPO / "deploy" / "demo-city"
PORTAL_URL = "http://127.0.0.1:8000"
STAFF_INNENSTADT = "demo-staff-team-innenstadt"
STAFF_NORD = "demo-staff-team-nord"
CARITAS = "demo-carrier-caritas-dessau"
DIAKONIE = "demo-carrier-diakonie-dessau"
KUEMMERER = "demo-kuemmerer-team-innenstadt"
COORDINATOR = "demo-coordinator"
# demo volunteers with a login (deploy/demo-city/volunteers.toml), registered in matching by `neighbourly`
VOLUNTEER = "renate.k"
OTHER_VOLUNTEER = "dmitri.s"


def start_intake(directory: Path, databases: DatabaseFactory, **auth: object) -> tuple[NatsServer, ServiceProcess]:
    nats = NatsServer(directory / "jetstream", log_file=directory / "nats-server.log").start()
    settings: dict[str, object] = {
        "database_url": databases.create("intake"),
        "nats_url": nats.url,
        "data_dir": directory / "intake",
        "city_dir": DEMO_CITY,
        "outbox_poll_seconds": 0.2,
        # the login-pseudonym key intake shares with matching (decision 0013), as `make run` makes it
        "pseudonym_key_file": ensure_pseudonym_key(directory / "keys"),
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

    start.started = started  # type: ignore[attr-defined]  # the broker of each, for matching (`neighbourly`)
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


@pytest.fixture(scope="session")
def neighbourly(
    intake: ServiceProcess,
    intakes: Any,
    databases: DatabaseFactory,
    tokens: Tokens,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[City]:
    """The session's intake and a matching process on its broker, sharing its login-pseudonym key
    (decision 0013), with two demo volunteers registered: Renate (Innenstadt Süd, company, police
    certificate inspected) is asked for every loneliness concern there; Dmitri lives elsewhere."""
    nats = next(n for n, process in intakes.started if process is intake)
    directory = tmp_path_factory.mktemp("portal-matching")
    settings: dict[str, object] = {
        "database_url": databases.create("matching"),
        "nats_url": nats.url,
        "auth_jwks_file": tokens.jwks_file,
        "data_dir": directory / "matching",
        "outbox_poll_seconds": 0.2,
        "consumer_backoff_seconds": "[0.2, 0.5, 1.0]",
        "pseudonym_key_file": intake.settings["pseudonym_key_file"],
    }
    matching = ServiceProcess("matching", settings=settings, log_dir=directory).start()
    try:
        city = City(nats, {"intake": intake, "matching": matching}, tokens)
        register_volunteer(city, "Renate K.", VOLUNTEER, "innenstadt-sued")
        register_volunteer(city, "Dmitri S.", OTHER_VOLUNTEER, "ziebigk")
        yield city
    finally:
        matching.stop()
        log = matching.log_path.read_text(errors="replace") if matching.log_path.exists() else ""
        leaks = leaks_in_log(log, "matching log")
        assert not leaks, "personal data in matching's log:\n" + "\n".join(leaks[:20])


def neighbourly_settings(city: City, tokens: Tokens) -> PortalSettings:
    """The portal in front of the neighbourly city's intake and matching."""
    return PortalSettings(
        public_url=PORTAL_URL,
        intake_url=city.url("intake"),
        matching_url=city.url("matching"),
        session_secret="test-session-secret",
        local_key_dir=tokens.key_dir,
        local_city_dir=DEMO_CITY,
        city_dir=DEMO_CITY,
        log_json=True,
    )


def register_volunteer(city: City, name: str, account: str, quarter_id: str) -> str:
    with city.client("matching", "coordinator", subject="carla.coordinator") as matching:
        registered = matching.post(
            "/volunteers",
            json={
                "display_name": name,
                "contact": "0340 555000",
                "quarter_id": quarter_id,
                "skills": ["company", "shopping"],
                "languages": ["de"],
                "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
                "account": account,
            },
        )
        assert registered.status_code == 201, registered.text
        # company (what loneliness asks for) needs an inspected police certificate (§ 72a SGB VIII)
        seen = matching.post(
            f"/volunteers/{registered.json()['id']}/vetting",
            json={"certificate_date": "2020-01-02", "no_relevant_entry": True, "recheck_on": "2099-12-31"},
        )
        assert seen.status_code == 200, seen.text
        return str(registered.json()["id"])


HELPED = {
    "given_name": "Irmgard",
    "family_name": "Zeisig",
    "birth_year": 1936,
    "phone": "0340 2233445",
    "address": {"street": "Franzstraße", "house_number": "147", "postcode": "06842"},
}


def ask_for_help(city: City) -> dict[str, Any]:
    """A team records a loneliness concern for a person who consented to neighbourly help; returns
    the proposal matching makes to Renate for it."""
    with city.client("intake", "team_staff", team="team-innenstadt") as intake:
        person = intake.post("/persons", json=HELPED)
        assert person.status_code == 201, person.text
        consent = intake.post(
            f"/persons/{person.json()['id']}/consents",
            json={"purpose": "neighbourly_help", "given_by": "person", "form": "written"},
        )
        assert consent.status_code == 201, consent.text
        recorded = intake.post(
            "/concerns",
            json={"channel": "phone", "topics": ["einsamkeit"], "urgency": "soon", "person_id": person.json()["id"]},
        )
        assert recorded.status_code == 201, recorded.text
        help_request_id = str(recorded.json()["help_requests"][0]["id"])

    def proposal() -> dict[str, Any] | None:
        with city.client("matching", "coordinator", subject="carla.coordinator") as matching:
            found = matching.get("/matches", params={"help_request_id": help_request_id}).json()
            return found[0] if found else None

    return eventually(proposal, what="a proposal for the help request")  # type: ignore[no-any-return]


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
    VOLUNTEER = VOLUNTEER
    OTHER_VOLUNTEER = OTHER_VOLUNTEER
    HELPED = HELPED
    neighbourly_settings = staticmethod(neighbourly_settings)
    ask_for_help = staticmethod(ask_for_help)
    DEMO_CITY = DEMO_CITY
    PORTAL_URL = PORTAL_URL


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
