"""A pool's first read of a quarter is of the request's kind of help only; a second kind reads the
whole quarter, counting the proposals the pool has made but not yet written; every candidate is
read as stored -- checked on a real database (SQLite, or PostgreSQL with DATABASE_URL), as the pool
reads it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from qn_infra.database import make_engine, migrate
from qn_matching.matches.domain import Need
from qn_matching.matches.handlers import CandidatePool, MatchingPolicy, _kind_like
from qn_matching.matches.models import HelpRequest, Match
from qn_matching.volunteers.models import Volunteer
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import MIGRATIONS

pytestmark = pytest.mark.integration

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


def test_a_second_kind_reads_the_quarter_whole_and_counts_the_proposals_not_yet_written(
    databases: DatabaseFactory,
) -> None:
    url = databases.create("matching")
    migrate(url, MIGRATIONS["matching"])
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


def open_task(volunteer: Volunteer) -> list[HelpRequest | Match]:
    """A task `volunteer` accepted and has not completed: one toward their cap."""
    request = HelpRequest(
        id=uuid.uuid4(),
        concern_id=uuid.uuid4(),
        quarter_id=volunteer.quarter_id,
        help_kind="reading",
        skills=["reading"],
        languages=[],
        urgency="soon",
        status="matched",
        requested_event_id=str(uuid.uuid4()),
        received_at=NOW - timedelta(days=2),
        updated_at=NOW - timedelta(days=1),
    )
    match = Match(
        id=uuid.uuid4(),
        help_request_id=request.id,
        volunteer_id=volunteer.id,
        attempt=1,
        score=0.5,
        status="accepted",
        proposed_at=NOW - timedelta(days=2),
        expires_at=NOW,
    )
    return [request, match]


def test_a_pool_reads_each_candidate_as_stored_and_passes_over_who_is_at_their_cap(
    databases: DatabaseFactory,
) -> None:
    url = databases.create("matching")
    migrate(url, MIGRATIONS["matching"])
    emil = volunteer("Emil", ["reading"], TUESDAY, minutes=6)  # his certificate has a relevant entry
    emil.vetting_no_relevant_entry, emil.vetting_recheck_on = False, date(2030, 5, 17)
    fritz = volunteer("Fritz", ["reading"], TUESDAY, minutes=5)  # at his cap of one open task
    fritz.vetting_no_relevant_entry, fritz.vetting_recheck_on, fritz.max_open_tasks = True, date(2031, 1, 2), 1
    dora = volunteer("Dora", ["reading"], TUESDAY, minutes=4)
    dora.vetting_no_relevant_entry, dora.vetting_recheck_on = True, date(2030, 5, 17)
    gerd = volunteer("Gerd", ["reading"], TUESDAY, minutes=3)  # one task open, one more to go
    gerd.vetting_no_relevant_entry, gerd.vetting_recheck_on, gerd.max_open_tasks = True, date(2029, 3, 4), 2
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            session.add_all([emil, fritz, dora, gerd])
            session.flush()
            session.add_all([*open_task(fritz), *open_task(gerd)])
            session.commit()
            policy = MatchingPolicy(timedelta(hours=48), ZoneInfo("Europe/Berlin"), vetted_kinds=frozenset({"reading"}))
            pool = CandidatePool(SimpleNamespace(session=session), policy, today=NOW.date())  # type: ignore[arg-type]
            reading = Need("innenstadt-sued", "reading", frozenset(), vetting_needed_on=NOW.date())
            best = pool.choose_next("innenstadt-sued", reading, NOW)
            # Emil and Fritz registered before her, but his check does not count and Fritz is at his cap
            assert best is not None and best.candidate.volunteer_id == dora.id
            assert best.candidate.vetted_until == date(2030, 5, 17)  # what her reasons show
            assert best.candidate.registered_at == dora.registered_at
            # the quarter as a whole, as a second kind of help reads it
            whole = {c.volunteer_id: c for c in pool.candidates("innenstadt-sued")}
            assert {v: (c.vetted_until, c.open_matches, c.max_open) for v, c in whole.items()} == {
                emil.id: (None, 0, None),
                fritz.id: (date(2031, 1, 2), 1, 1),
                dora.id: (date(2030, 5, 17), 0, None),
                gerd.id: (date(2029, 3, 4), 1, 2),
            }
            assert all(c.registered_at == v.registered_at for v in (emil, fritz, dora, gerd) for c in [whole[v.id]])
    finally:
        engine.dispose()


def test_the_kind_pattern_matches_the_code_only() -> None:
    pattern = _kind_like("small_repairs")
    assert pattern == '%"small\\_repairs"%'  # `_` is LIKE's any-character: escaped
