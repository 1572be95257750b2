"""A referral's world under test: the real intake app, a team that records concerns through
`POST /concerns`, carriers with their own tokens, and a look into the database where a user would
open the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from qn_infra.database import make_engine
from qn_infra.runtime import ServiceRuntime
from qn_testkit.streams import read_stream

TEAM = "team-innenstadt"
OTHER_TEAM = "team-nord"
DEBT = "caritas-dessau"  # the routing table sends 'schulden' here
ADDICTION = "diakonie-dessau"  # ... and 'sucht' here

CONCERN: dict[str, Any] = {
    "channel": "walk_in",
    "topics": ["schulden"],
    "urgency": "soon",
    "address": {"street": "Franzstraße", "house_number": "147", "postcode": "06842"},
}

PERSON = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "birth_year": 1948,
    "phone": "0340 555 1234",
    "email": "erika.mustermann@example.org",
    "address": {"street": "Franzstraße", "house_number": "147", "postcode": "06842"},
    "preferred_channel": "phone",
}


@dataclass
class Loop:
    """The closed loop as its users act in it."""

    intake: Any
    sessions: sessionmaker[Session]

    @property
    def client(self) -> Any:
        return self.intake.client

    @property
    def runtime(self) -> ServiceRuntime:
        return self.client.app.state.runtime  # type: ignore[no-any-return]

    def team(self, team: str = TEAM, **kwargs: str) -> dict[str, str]:
        return self.intake.tokens.headers("team_staff", team=team, subject=f"staff@{team}", **kwargs)

    def coordinator(self) -> dict[str, str]:
        return self.intake.tokens.headers("coordinator", subject="coordinator@stadt")

    def carrier(self, org: str = DEBT, **kwargs: str) -> dict[str, str]:
        return self.intake.tokens.headers("carrier", org=org, subject=f"sachbearbeitung@{org}", **kwargs)

    def record(self, **overrides: Any) -> dict[str, Any]:
        """A concern recorded by the team, as `POST /concerns` answers it."""
        response = self.client.post("/concerns", json={**CONCERN, **overrides}, headers=self.team())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def refer(self, target: str = DEBT, **overrides: Any) -> str:
        """Records a concern and returns the id of its referral to `target`."""
        concern = self.record(**overrides)
        ids = [r["id"] for r in concern["referrals"] if r["target_id"] == target]
        assert ids, f"no referral to {target}: {concern['referrals']}"
        return ids[0]  # type: ignore[no-any-return]

    def status(self, referral_id: str, headers: dict[str, str], to_status: str, **body: Any) -> Any:
        body = {"to_status": to_status, **body}
        return self.client.post(f"/referrals/{referral_id}/status", json=body, headers=headers)

    def events(self, type_suffix: str) -> list[Any]:
        messages = read_stream(self.intake.nats_url, "QN_INTAKE")
        return [m for m in messages if m.headers.get("ce-type", "").endswith(type_suffix)]

    def add_person(self) -> str:
        response = self.client.post("/persons", json=PERSON, headers=self.team())
        assert response.status_code == 201, response.text
        return response.json()["id"]  # type: ignore[no-any-return]

    def give_referral_consent(self, person_id: str, carrier_id: str, **fields: Any) -> dict[str, Any]:
        body = {"purpose": "referral", "carrier_id": carrier_id, "given_by": "person", "form": "written", **fields}
        response = self.client.post(f"/persons/{person_id}/consents", json=body, headers=self.team())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def audit_entries(self, subject_id: str) -> list[Any]:
        from qn_intake.audit.models import AuditEntry

        with self.sessions() as session:
            return list(session.query(AuditEntry).filter_by(subject_id=subject_id).order_by(AuditEntry.id))

    def move_due_date(self, referral_id: str, due_at: datetime) -> None:
        """Time passes: the referral's due date is `due_at`."""
        from qn_intake.referrals.models import Referral

        with self.sessions() as session:
            referral = session.get(Referral, uuid.UUID(referral_id))
            assert referral is not None
            referral.due_at = due_at
            session.commit()


@pytest.fixture
def loop(intake: Any) -> Iterator[Loop]:
    engine: Engine = make_engine(intake.settings.database_url)
    try:
        yield Loop(intake, sessionmaker(engine, expire_on_commit=False))
    finally:
        engine.dispose()
