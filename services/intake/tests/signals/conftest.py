"""The early-warning system under test: the real intake app on a real broker and database, a team,
a Kümmerer and a coordinator with their own tokens, and the scheduled rules run at a chosen moment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from qn_infra.database import make_engine
from qn_infra.runtime import ServiceRuntime
from qn_intake.signals.rules import escalate_overdue_follow_ups, run_signal_rules
from qn_testkit.streams import StoredMessage, read_stream

TEAM = "team-innenstadt"
OTHER_TEAM = "team-nord"
FRANZSTRASSE = {"street": "Franzstraße", "house_number": "147", "postcode": "06842"}  # innenstadt-sued

CONCERN: dict[str, Any] = {"channel": "walk_in", "topics": ["einsamkeit"], "urgency": "soon", "address": FRANZSTRASSE}

PERSON = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "birth_year": 1941,
    "phone": "0340 555 1234",
    "email": "erika.mustermann@example.org",
    "address": FRANZSTRASSE,
    "preferred_channel": "phone",
}


@dataclass
class Warnings:
    intake: Any
    sessions: sessionmaker[Session]

    @property
    def client(self) -> Any:
        return self.intake.client

    @property
    def runtime(self) -> ServiceRuntime:
        return self.client.app.state.runtime  # type: ignore[no-any-return]

    def staff(self, team: str = TEAM) -> dict[str, str]:
        return self.intake.tokens.headers("team_staff", team=team, subject=f"staff@{team}")  # type: ignore[no-any-return]

    def kuemmerer(self) -> dict[str, str]:
        return self.intake.tokens.headers("kuemmerer", subject="kuemmerin@wohnungsgenossenschaft")  # type: ignore[no-any-return]

    def coordinator(self) -> dict[str, str]:
        return self.intake.tokens.headers("coordinator", subject="coordinator@stadt")  # type: ignore[no-any-return]

    def record(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/concerns", json={**CONCERN, **overrides}, headers=self.staff())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def contact(self, concern_id: str, at: datetime | None = None) -> None:
        """The team reached the person (the lead's `POST /concerns/{id}/contacts`)."""
        body: dict[str, Any] = {"channel": "phone", "reached": True}
        if at is not None:
            body["at"] = at.isoformat()
        response = self.client.post(f"/concerns/{concern_id}/contacts", json=body, headers=self.staff())
        assert response.status_code == 204, response.text

    def add_person(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/persons", json={**PERSON, **overrides}, headers=self.staff())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def give_consent(self, person_id: str, purpose: str) -> None:
        body = {"purpose": purpose, "given_by": "person", "form": "verbal"}
        response = self.client.post(f"/persons/{person_id}/consents", json=body, headers=self.staff())
        assert response.status_code == 201, response.text

    def signal(self, headers: dict[str, str] | None = None, **body: Any) -> Any:
        return self.client.post("/signals", json=body, headers=headers or self.staff())

    def raise_signal(self, **body: Any) -> dict[str, Any]:
        response = self.signal(**body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def done(self, follow_up_id: str, outcome: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            f"/follow-ups/{follow_up_id}/done", json={"outcome": outcome}, headers=headers or self.staff()
        )

    def run_rules(self, now: datetime) -> list[uuid.UUID]:
        """The scheduled rules, run as if it were `now`."""
        return run_signal_rules(self.runtime.unit_of_work(), self.client.app.state.intake.city, now)

    def escalate(self, now: datetime) -> list[uuid.UUID]:
        return escalate_overdue_follow_ups(self.runtime.unit_of_work(), now)

    def signals_of(self, concern_id: str) -> list[dict[str, Any]]:
        response = self.client.get("/signals", params={"page_size": 100}, headers=self.coordinator())
        assert response.status_code == 200, response.text
        return [s for s in response.json()["items"] if s["concern_id"] == concern_id]

    def recorded_days_ago(self, concern_id: str, days: float) -> None:
        """Time passes: the concern was recorded `days` ago (concerns are always recorded 'now')."""
        from qn_intake.concerns.models import Concern

        with self.sessions() as session:
            concern = session.get(Concern, uuid.UUID(concern_id))
            assert concern is not None
            concern.recorded_at = concern.recorded_at - timedelta(days=days)
            session.commit()

    def events(self, *type_parts: str) -> list[StoredMessage]:
        return [
            m
            for m in read_stream(self.intake.nats_url, "QN_INTAKE")
            if any(part in m.headers.get("ce-type", "") for part in type_parts)
        ]


@pytest.fixture
def warnings(intake: Any) -> Iterator[Warnings]:
    engine: Engine = make_engine(intake.settings.database_url)
    try:
        yield Warnings(intake, sessionmaker(engine, expire_on_commit=False))
    finally:
        engine.dispose()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
