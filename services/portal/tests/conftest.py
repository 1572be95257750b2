"""The portal against a real intake: one intake process (real nats-server, real database) for the
portal's tests, and the portal app in-process in front of it, signing people in with the local
development key that intake trusts."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from qn_portal.app import create_app
from qn_portal.config import PortalSettings

from qn_infra.clock import TickingClock
from qn_infra.embedded_broker import NatsServer
from qn_infra.pseudonyms import ensure_pseudonym_key
from qn_testkit.auth import Tokens
from qn_testkit.canaries import leaks_in_log
from qn_testkit.city import City
from qn_testkit.databases import DatabaseFactory
from qn_testkit.days import BERLIN, reference_day
from qn_testkit.served_app import served
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
    register_volunteer = staticmethod(register_volunteer)
    COMMITTEE = "demo-committee"
    DEMO_CITY = DEMO_CITY
    PORTAL_URL = PORTAL_URL


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


# -- the drop-in centres and the committee's figures: scheduling and reporting, served over HTTP ----


@dataclass
class DropIn:
    """Scheduling and reporting in-process on the test's reference day, served over real HTTP; the
    demo city's Franztreff with a lunch table (begun today: its attendance can be recorded), the
    Caritas debt counselling on Tuesdays, and the clock both use (the portal under test too)."""

    scheduling_url: str
    reporting_url: str
    clock: TickingClock
    lunch_offer: str
    lunch_today: str
    """The occurrence of the lunch table that began an hour and a half ago."""
    counselling_offer: str
    cafe_offer: str
    cafe_today: str
    """The open café's occurrence of today, begun too: for the browser's attendance journey."""

    def today(self) -> date:
        return self.clock.now().astimezone(BERLIN).date()


def _franztreff() -> dict[str, Any]:
    sites = tomllib.loads((DEMO_CITY / "sites.toml").read_text(encoding="utf-8"))["sites"]
    site = next(s for s in sites if s["id"] == "franztreff")
    return {k: v for k, v in site.items() if k != "id"}


def _offers(url: str, headers: dict[str, str], today: date) -> Callable[..., str]:
    """`offer(title, kind, topic, org, room, first_day, starts, ends, days)` plans a weekly offer
    for a year at the Franztreff, as its coordinator would; returns its id."""

    def offer(
        title: str, kind: str, topic: str, org: str, room: str, first: date, starts: str, ends: str, days: str
    ) -> str:
        body = {"title": title, "kind": kind, "topics": [topic], "org_id": org, "room_id": room,
                "first_day": first.isoformat(), "starts": starts, "ends": ends,
                "rrule": f"FREQ=WEEKLY;BYDAY={days};UNTIL={today.year + 1}{today:%m%d}"}  # fmt: skip
        created = httpx.post(f"{url}/sites/franztreff/offers", headers=headers, json=body, timeout=30)
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    return offer


@pytest.fixture(scope="session")
def drop_in(databases: DatabaseFactory, tokens: Tokens, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DropIn]:
    from qn_reporting.app import create_app as reporting_app
    from qn_reporting.config import ReportingSettings
    from qn_scheduling.app import create_app as scheduling_app
    from qn_scheduling.config import SchedulingSettings

    directory = tmp_path_factory.mktemp("portal-drop-in")
    clock = TickingClock(reference_day())  # a Wednesday, 09:30 in Berlin
    nats = NatsServer(directory / "jetstream", log_file=directory / "nats-server.log").start()
    common: dict[str, Any] = {"nats_url": nats.url, "auth_jwks_file": tokens.jwks_file, "city_dir": DEMO_CITY,
                              "outbox_poll_seconds": 0.2}  # fmt: skip
    scheduling = SchedulingSettings(
        database_url=databases.create("scheduling"), data_dir=directory / "scheduling", **common
    )
    reporting = ReportingSettings(
        database_url=databases.create("reporting"), data_dir=directory / "reporting", **common
    )
    try:
        with (
            served(
                scheduling_app(scheduling, clock=clock),
                migrations_of="scheduling",
                database_url=scheduling.database_url,
            ) as s_url,
            served(
                reporting_app(reporting, clock=clock), migrations_of="reporting", database_url=reporting.database_url
            ) as r_url,
        ):
            coordinator = tokens.headers("coordinator", org="drk-dessau")
            put = httpx.put(f"{s_url}/sites/franztreff", json=_franztreff(), headers=coordinator)
            assert put.status_code in (200, 201), put.text
            today = clock.now().astimezone(BERLIN).date()
            offer = _offers(s_url, coordinator, today)
            lunch = offer("Mittagstisch", "lunch_table", "existenzsicherung", "dessauer-tafel", "kueche",
                          today, "11:00", "13:00", "MO,WE,FR")  # fmt: skip
            counselling = offer("Schuldnerberatung", "counselling", "schulden", "caritas-dessau", "beratung-traeger",
                                today + timedelta(days=1), "09:00", "12:00", "TU,TH")  # fmt: skip
            cafe = offer("Offenes Café", "open_cafe", "einsamkeit", "drk-dessau", "offener-bereich",
                         today, "10:00", "12:00", "WE")  # fmt: skip
            clock.advance(hours=3)  # 12:30: today's lunch table and café have begun

            def first_today(offer_id: str) -> str:
                listed = httpx.get(
                    f"{s_url}/offers/{offer_id}/occurrences",
                    params={"from": today.isoformat(), "to": today.isoformat()},
                    headers=coordinator,
                )
                return str(listed.json()[0]["id"])

            yield DropIn(s_url, r_url, clock, lunch, first_today(lunch), counselling, cafe, first_today(cafe))
    finally:
        nats.stop()


@pytest.fixture
def drop_in_settings(portal_settings: PortalSettings, drop_in: DropIn) -> PortalSettings:
    return portal_settings.model_copy(
        update={"scheduling_url": drop_in.scheduling_url, "reporting_url": drop_in.reporting_url}
    )


# the browser tests' shared pieces (their modules skip without Chromium before these are asked for)
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright import sync_api

    from qn_testkit.browser import CHROMIUM, LAUNCH_FLAGS

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests write their screenshots: QN_PORTAL_SCREENSHOTS (docs/portal/), or a
    temporary directory."""
    target = Path(os.environ.get("QN_PORTAL_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target
