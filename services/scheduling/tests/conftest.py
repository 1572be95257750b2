"""Scheduling under test: the real app, a fresh database and a fresh nats-server per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import holidays
import pytest
from fastapi.testclient import TestClient

from qn_infra.clock import TickingClock
from qn_infra.embedded_broker import NatsServer
from qn_scheduling.app import create_app
from qn_scheduling.config import SchedulingSettings
from qn_testkit.auth import Tokens
from qn_testkit.days import BERLIN, day_in_next_week
from qn_testkit.services import REPO, running_app

DEMO_CITY = REPO / "deploy" / "demo-city"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def franztreff(**overrides: Any) -> dict[str, Any]:
    """The Franztreff as its coordinator enters it: Monday to Friday 9 to 17."""
    body: dict[str, Any] = {
        "name": "Franztreff",
        "quarter_id": "innenstadt-sued",
        "carrier_id": "drk-dessau",
        "address": "Franzstraße 147, 06842 Dessau-Roßlau",
        "rooms": [
            {"room_id": "buero", "name": "Büro der Koordination", "kind": "office", "capacity": 2},
            {"room_id": "beratung-1", "name": "Beratungsraum 1", "kind": "counselling", "capacity": 3},
            {"room_id": "beratung-2", "name": "Beratungsraum 2", "kind": "counselling", "capacity": 3},
            {"room_id": "gruppenraum", "name": "Gruppenraum", "kind": "group", "capacity": 12},
        ],
        "opening_hours": [
            {"weekday": day, "opens": "09:00", "closes": "17:00"} for day in ("mo", "tu", "we", "th", "fr")
        ],
    }
    body.update(overrides)
    return body


def quiet_monday(after: date, weeks: int = 6) -> date:
    """The first Monday after `after` from which `weeks` weeks hold no public holiday of
    Saxony-Anhalt: tests that are not about holidays should not meet Easter by chance."""
    monday = after + timedelta(days=7 - after.weekday())
    while True:
        closed = holidays.country_holidays("DE", subdiv="ST", years=[monday.year, monday.year + 1])
        if not any(monday + timedelta(days=n) in closed for n in range(weeks * 7)):
            return monday
        monday += timedelta(days=7)


def problem_field(response: Any) -> str:
    """The field a problem+json answer names."""
    return str(response.json()["errors"][0]["field"])


def lunch_table(first_day: date, **overrides: Any) -> dict[str, Any]:
    """The lunch table of the Dessauer Tafel as an offer body: Mon/Wed/Fri 11–13 for a year."""
    body: dict[str, Any] = {
        "title": "Mittagstisch",
        "description": "Warmes Mittagessen, zubereitet von der Dessauer Tafel.",
        "kind": "lunch_table",
        "org_id": "dessauer-tafel",
        "room_id": "gruppenraum",
        "target_groups": ["alle"],
        "topics": ["existenzsicherung"],
        "capacity": 12,
        "cost": "contribution",
        "first_day": first_day.isoformat(),
        "starts": "11:00",
        "ends": "13:00",
        "rrule": f"FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL={first_day.year + 1}{first_day:%m%d}",
    }
    body.update(overrides)
    return body


def at(day: date, hh_mm: str) -> str:
    """A local Berlin time on `day` as an RFC 3339 timestamp with its offset."""
    return datetime.combine(day, time.fromisoformat(hh_mm), BERLIN).isoformat()


@dataclass
class Scheduling:
    client: TestClient
    nats_url: str
    tokens: Tokens
    settings: SchedulingSettings
    clock: TickingClock

    def today(self) -> date:
        """The service's today, in local time."""
        return self.clock.now().astimezone(BERLIN).date()

    def quiet_monday(self, weeks: int = 6) -> date:
        """A Monday from next week on with `weeks` weeks without public holidays."""
        return quiet_monday(self.today(), weeks)

    def next_week(self, weekday: str) -> date:
        """That day of next week, from the service's today (`next_week("tuesday")`)."""
        return day_in_next_week(self.today(), WEEKDAYS.index(weekday))

    def coordinator(self, **kwargs: str) -> dict[str, str]:
        return self.tokens.headers("coordinator", org="drk-dessau", **kwargs)

    def carrier(self, org: str = "caritas-dessau", **kwargs: str) -> dict[str, str]:
        return self.tokens.headers("carrier", org=org, **kwargs)

    def offer(self, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> Any:
        return self.client.post("/sites/franztreff/offers", json=body, headers=headers or self.coordinator())

    def occurrences(self, offer_id: str, start: date, end: date, **headers: str) -> list[dict[str, Any]]:
        listed = self.client.get(
            f"/offers/{offer_id}/occurrences",
            params={"from": start.isoformat(), "to": end.isoformat()},
            headers=headers or self.coordinator(),
        )
        assert listed.status_code == 200, listed.text
        return list(listed.json())

    def put_franztreff(self, **overrides: Any) -> Any:
        return self.client.put("/sites/franztreff", json=franztreff(**overrides), headers=self.coordinator())

    def book(
        self, room: str, day: date, start: str, end: str, *, headers: dict[str, str] | None = None, **body: Any
    ) -> Any:
        payload = {"starts_at": at(day, start), "ends_at": at(day, end), "title": "Schuldnerberatung Caritas", **body}
        return self.client.post(
            f"/sites/franztreff/rooms/{room}/bookings", json=payload, headers=headers or self.coordinator()
        )


@pytest.fixture
def scheduling_settings(service_settings: Callable[..., SchedulingSettings]) -> SchedulingSettings:
    return service_settings(SchedulingSettings, city_dir=DEMO_CITY)


@pytest.fixture
def scheduling(
    scheduling_settings: SchedulingSettings, nats_server: NatsServer, tokens: Tokens, clock: TickingClock
) -> Iterator[Scheduling]:
    app = create_app(scheduling_settings, clock=clock)
    with running_app(app, migrations_of="scheduling", database_url=scheduling_settings.database_url) as client:
        yield Scheduling(client, nats_server.url, tokens, scheduling_settings, clock)
