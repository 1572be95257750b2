"""The work queue under test: the real intake app, two neighbourhood teams, a coordinator and a
carrier answering referrals, each with their own token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from qn_infra.database import make_engine

TEAM = "team-innenstadt"
OTHER_TEAM = "team-nord"
FRANZSTRASSE = {"street": "Franzstraße", "house_number": "147", "postcode": "06842"}  # innenstadt-sued


@dataclass
class Morning:
    """What a team sees when it opens its work queue."""

    intake: Any
    sessions: sessionmaker[Session]

    @property
    def client(self) -> Any:
        return self.intake.client

    def staff(self, team: str = TEAM) -> dict[str, str]:
        return self.intake.tokens.headers("team_staff", team=team, subject=f"staff@{team}")  # type: ignore[no-any-return]

    def coordinator(self) -> dict[str, str]:
        return self.intake.tokens.headers("coordinator", subject="coordinator@stadt")  # type: ignore[no-any-return]

    def carrier(self, org: str) -> dict[str, str]:
        return self.intake.tokens.headers("carrier", org=org, subject=f"beratung@{org}")  # type: ignore[no-any-return]

    def record(self, team: str = TEAM, **body: Any) -> dict[str, Any]:
        # health stays with the quarter's own team: the concern is the only item it makes
        concern = {"channel": "walk_in", "topics": ["gesundheit"], "urgency": "soon", "address": FRANZSTRASSE, **body}
        response = self.client.post("/concerns", json=concern, headers=self.staff(team))
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def queue(self, headers: dict[str, str] | None = None, **params: Any) -> dict[str, Any]:
        response = self.client.get("/queue", params=params, headers=headers or self.staff())
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def ids(self, **params: Any) -> list[str]:
        return [item["id"] for item in self.queue(**params)["items"]]

    def recorded_days_ago(self, concern_id: str, days: float) -> None:
        """Time passes: the concern was recorded `days` ago."""
        from qn_intake.concerns.models import Concern

        with self.sessions() as session:
            concern = session.get(Concern, uuid.UUID(concern_id))
            assert concern is not None
            concern.recorded_at = concern.recorded_at - timedelta(days=days)
            session.commit()


@pytest.fixture
def morning(intake: Any) -> Iterator[Morning]:
    engine: Engine = make_engine(intake.settings.database_url)
    try:
        yield Morning(intake, sessionmaker(engine, expire_on_commit=False))
    finally:
        engine.dispose()
