"""A pool's first read of a quarter is of the request's kind of help only; a second kind reads the
whole quarter, counting the proposals the pool has made but not yet written -- checked on a real
SQLite database, as the pool reads it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from qn_infra.database import make_engine, migrate
from qn_matching.matches.domain import Need
from qn_matching.matches.handlers import CandidatePool, MatchingPolicy, _kind_like
from qn_matching.volunteers.models import Volunteer

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).resolve().parents[1] / "qn_matching" / "migrations"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday morning
TUESDAY = [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}]


def volunteer(name: str, skills: list[str], availability: list[dict[str, str]], minutes: int) -> Volunteer:
    registered = NOW - timedelta(days=30, minutes=minutes)
    return Volunteer(
        id=uuid.uuid4(),
        volunteer_ref=uuid.uuid4(),
        display_name=name,
        quarter_id="innenstadt-sued",
        skills=skills,
        languages=["de"],
        availability=availability,
        status="active",
        registered_by="test",
        registered_at=registered,
        status_changed_at=registered,
    )


def test_a_second_kind_reads_the_quarter_whole_and_counts_the_proposals_not_yet_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'matching.db'}"
    migrate(url, MIGRATIONS)
    anna = volunteer("Anna", ["shopping", "walk"], TUESDAY, minutes=3)  # registered first
    bert = volunteer("Bert", ["walk"], TUESDAY, minutes=2)
    carl = volunteer("Carl", ["small_repairs"], [], minutes=1)  # no time given
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            session.add_all([anna, bert, carl])
            session.commit()
            policy = MatchingPolicy(timedelta(hours=48), ZoneInfo("Europe/Berlin"))
            pool = CandidatePool(SimpleNamespace(session=session), policy, today=NOW.date())  # type: ignore[arg-type]
            shopping = Need("innenstadt-sued", "shopping", frozenset())
            first = pool.choose_next("innenstadt-sued", shopping, NOW)
            assert first is not None and first.candidate.volunteer_id == anna.id
            pool.proposed("innenstadt-sued", anna.id)
            # walking: Anna would come first by registration, but she was just asked (not written yet)
            walk = Need("innenstadt-sued", "walk", frozenset())
            second = pool.choose_next("innenstadt-sued", walk, NOW)
            assert second is not None and second.candidate.volunteer_id == bert.id
            assert pool.volunteer_ref("innenstadt-sued", bert.id) == bert.volunteer_ref
            whole = {c.volunteer_id: c.open_matches for c in pool.candidates("innenstadt-sued")}
            assert whole == {anna.id: 1, bert.id: 0, carl.id: 0}
    finally:
        engine.dispose()


def test_the_kind_pattern_matches_the_code_only() -> None:
    pattern = _kind_like("small_repairs")
    assert pattern == '%"small\\_repairs"%'  # `_` is LIKE's any-character: escaped
