"""The database itself moves the candidates' state on every write that can change who is proposed
or their load -- whoever writes: `candidates_version` by triggers (migration 0007), and on SQLite a
new proposal by its rowid (migration 0008). A later migration that recreated one of these tables
on SQLite would drop its triggers; this test would then fail."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, delete, insert, update
from sqlalchemy.engine import Engine

from qn_infra.database import make_engine, migrate
from qn_matching.db import import_models
from qn_matching.matches.kept_pool import candidates_state
from qn_matching.matches.models import HelpRequest, Match
from qn_matching.volunteers.models import Absence, Volunteer
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import MIGRATIONS

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(databases: DatabaseFactory) -> Iterator[Engine]:
    url = databases.create("matching")
    migrate(url, MIGRATIONS["matching"])
    import_models()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _help_request(request_id: uuid.UUID, status: str) -> dict[str, object]:
    """A help request row for shopping in Innenstadt Süd, as the consumer writes one."""
    return {
        "id": request_id,
        "concern_id": uuid.uuid4(),
        "quarter_id": "innenstadt-sued",
        "help_kind": "shopping",
        "skills": ["shopping"],
        "languages": [],
        "urgency": "soon",
        "status": status,
        "requested_event_id": str(uuid.uuid4()),
        "received_at": NOW,
        "updated_at": NOW,
    }


def _proposal(
    match_id: uuid.UUID, request_id: uuid.UUID, volunteer_id: uuid.UUID, *, attempt: int
) -> dict[str, object]:
    """A proposal row as the consumer writes one."""
    return {
        "id": match_id,
        "help_request_id": request_id,
        "volunteer_id": volunteer_id,
        "attempt": attempt,
        "score": 1.0,
        "status": "proposed",
        "proposed_at": NOW,
        "expires_at": NOW + timedelta(hours=48),
    }


def test_every_write_that_decides_who_is_proposed_moves_the_version(engine: Engine) -> None:
    volunteer_id, request_id, match_id, absence_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    writes: list[tuple[str, Callable[[Connection], object]]] = [
        (
            "a volunteer registered",
            lambda c: c.execute(
                insert(Volunteer).values(
                    id=volunteer_id,
                    volunteer_ref=uuid.uuid4(),
                    display_name="Renate K.",
                    quarter_id="innenstadt-sued",
                    skills=["shopping"],
                    languages=["de"],
                    availability=[],
                    status="active",
                    registered_by="test",
                    registered_at=NOW,
                    status_changed_at=NOW,
                )
            ),
        ),
        (
            "a volunteer changed",
            lambda c: c.execute(update(Volunteer).where(Volunteer.id == volunteer_id).values(status="paused")),
        ),
        (
            "an absence entered",
            lambda c: c.execute(
                insert(Absence).values(
                    id=absence_id,
                    volunteer_id=volunteer_id,
                    starts_on=date(2026, 12, 3),
                    ends_on=date(2026, 12, 10),
                    reason="holiday",
                    entered_by="test",
                    entered_at=NOW,
                )
            ),
        ),
        (
            "an absence changed",
            lambda c: c.execute(update(Absence).where(Absence.id == absence_id).values(ends_on=date(2026, 12, 5))),
        ),
        ("an absence removed", lambda c: c.execute(delete(Absence).where(Absence.id == absence_id))),
        (
            "a proposal made",
            lambda c: (
                c.execute(insert(HelpRequest).values(**_help_request(request_id, "proposed"))),
                c.execute(insert(Match).values(**_proposal(match_id, request_id, volunteer_id, attempt=1))),
            ),
        ),
        (
            "a proposal answered",
            lambda c: c.execute(update(Match).where(Match.id == match_id).values(status="declined")),
        ),
        ("a proposal removed", lambda c: c.execute(delete(Match).where(Match.id == match_id))),
        (
            # on SQLite it takes the removed one's rowid again: the removal's move must tell them apart
            "a proposal made after the newest one was removed",
            lambda c: c.execute(insert(Match).values(**_proposal(uuid.uuid4(), request_id, volunteer_id, attempt=2))),
        ),
    ]
    for what, write in writes:
        with engine.connect() as connection:
            before = candidates_state(connection)
        with engine.begin() as connection:
            write(connection)
        # committed (PostgreSQL moves it at the commit): another connection sees it
        with engine.connect() as connection:
            assert candidates_state(connection) > before, f"{what}: the version did not move"


def test_writes_that_decide_nothing_about_candidates_leave_the_version(engine: Engine) -> None:
    with engine.connect() as connection:
        before = candidates_state(connection)
    with engine.begin() as connection:
        connection.execute(insert(HelpRequest).values(**_help_request(uuid.uuid4(), "unmatched")))
    with engine.connect() as connection:
        assert candidates_state(connection) == before
