"""A team's world for persons, consent and the audit log: the real intake app on a real broker and
database, staff and coordinators with their own tokens, and a look at what reached the stream."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from qn_infra.runtime import ServiceRuntime
from qn_testkit.streams import StoredMessage, read_stream
from qn_testkit.waiting import eventually

TEAM = "team-innenstadt"

PERSON: dict[str, Any] = {
    "given_name": "Hildegard",
    "family_name": "Schröder-Weiß",
    "birth_year": 1939,
    "phone": "0340 7654321",
    "email": "hildegard.sw@example.org",
    "address": {"street": "Franzstraße", "house_number": "147", "postcode": "06842"},
    "preferred_channel": "phone",
    "preferred_language": "pl",
}


@dataclass
class World:
    intake: Any
    person: dict[str, Any] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.person = dict(PERSON)

    @property
    def client(self) -> Any:
        return self.intake.client

    @property
    def runtime(self) -> ServiceRuntime:
        return self.intake.client.app.state.runtime  # type: ignore[no-any-return]

    def staff(self, subject: str = "anna.staff") -> dict[str, str]:
        return self.intake.tokens.headers("team_staff", subject=subject, team=TEAM)

    def coordinator(self, subject: str = "carla.coordinator") -> dict[str, str]:
        return self.intake.tokens.headers("coordinator", subject=subject, team=TEAM)

    def as_role(self, role: str, **kwargs: str) -> dict[str, str]:
        return self.intake.tokens.headers(role, **kwargs)

    def add_person(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/persons", json={**PERSON, **overrides}, headers=self.staff())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def add_concern(self, person_id: str | None, topics: list[str], **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"channel": "phone", "topics": topics, "urgency": "soon", **overrides}
        if person_id:
            body["person_id"] = person_id
        else:
            body.setdefault("quarter_id", "innenstadt-sued")
        response = self.client.post("/concerns", json=body, headers=self.staff())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def give_consent(self, person_id: str, purpose: str, **fields: Any) -> dict[str, Any]:
        body = {"purpose": purpose, "given_by": "person", "form": "written", **fields}
        response = self.client.post(f"/persons/{person_id}/consents", json=body, headers=self.staff())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def audit(self, **params: str) -> list[dict[str, Any]]:
        response = self.client.get("/audit", params=params, headers=self.coordinator())
        assert response.status_code == 200, response.text
        return response.json()["entries"]  # type: ignore[no-any-return]

    def messages(self) -> list[StoredMessage]:
        return read_stream(self.intake.nats_url, "QN_INTAKE")

    def events(self, ce_type: str, *, expect: int, **match: str) -> list[dict[str, Any]]:
        """Waits for exactly `expect` events of a type whose body matches `match`, and returns them."""

        def found() -> list[dict[str, Any]] | None:
            bodies = [
                m.body
                for m in self.messages()
                if m.headers.get("ce-type") == ce_type
                and isinstance(m.body, dict)
                and all(str(m.body.get(k)) == v for k, v in match.items())
            ]
            return bodies if len(bodies) == expect else None

        return eventually(found, what=f"{expect} x {ce_type} {match}")  # type: ignore[return-value]

    def no_events(self, ce_type: str, **match: str) -> bool:
        """No such event was ever emitted. Checked in intake's outbox, which is written in the same
        transaction as the change -- the stream alone could simply not have caught up yet."""
        engine = create_engine(self.intake.settings.database_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT headers, body FROM outbox")).all()
        finally:
            engine.dispose()
        assert rows, "the outbox holds the events of this test"
        for headers, body in rows:
            headers = json.loads(headers) if isinstance(headers, str) else headers
            data = json.loads(bytes(body))
            if headers.get("ce-type") == ce_type and all(str(data.get(k)) == v for k, v in match.items()):
                return False
        return True


@pytest.fixture
def world(intake: Any) -> World:
    return World(intake)
