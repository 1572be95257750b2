"""Help requests that arrive together are handled a batch at a time, in one transaction, with the
candidates of a quarter read once -- and still get the proposals one transaction per request
would give: each proposal counts toward that volunteer's load for the requests after it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qn_infra.database import make_engine
from qn_matching.db import PROCESSED_EVENTS
from qn_matching.matches.handlers import CandidatePool, MatchingPolicy
from qn_matching.matches.models import HelpRequest
from qn_matching.volunteers.models import Volunteer

from .conftest import CONSUMER

pytestmark = pytest.mark.integration

PROPOSED = "qn.matching.match.proposed.v1"
UNMATCHED = "qn.matching.help_request.unmatched.v1"


def _handled_at(database_url: str, event_ids: list[str]) -> list[object]:
    """When the consumer recorded each event as handled: one batch, one transaction, one time."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    select(PROCESSED_EVENTS.c.processed_at).where(
                        PROCESSED_EVENTS.c.consumer == CONSUMER, PROCESSED_EVENTS.c.event_id.in_(event_ids)
                    )
                )
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("batch_size", [1, 256], ids=["one_per_transaction", "one_batch"])
def test_requests_that_arrive_together_get_the_proposals_one_at_a_time_would_give(
    start_matching, batch_size: int
) -> None:
    with start_matching(consumer_batch_size=batch_size) as matching:
        renate = matching.register("Renate K.", languages=["de"])
        dmitri = matching.register("Dmitri S.", languages=["de", "ru"])
        aylin = matching.register("Aylin T.", languages=["de", "tr"])
        earlier = matching.help_requested()
        matching.publish(earlier)
        # nobody busy, same time slot: who registered first
        assert matching.help_request(earlier.help_request_id)["matches"][0]["volunteer_id"] == renate["id"]

    # while matching is down, six requests for the same quarter wait on the broker
    together = [
        matching.help_requested(),
        matching.help_requested(),
        matching.help_requested(languages=["tr"]),
        matching.help_requested(languages=["tr"]),
        matching.help_requested(),
        matching.help_requested(),
    ]
    event_ids = [str(matching.publish(event).id) for event in together]

    with start_matching(consumer_batch_size=batch_size) as matching:
        matching.wait_until_consumed()
        requests = [matching.help_request(event.help_request_id) for event in together]
        for event in together:
            matching.wait_for_event(PROPOSED, help_request_id=str(event.help_request_id))

    handled_at = _handled_at(matching.settings.database_url, event_ids)
    assert len(handled_at) == 6
    assert len(set(handled_at)) == (1 if batch_size > 1 else 6), "one transaction per batch"

    proposed = [request["matches"] for request in requests]
    assert all(len(matches) == 1 and matches[0]["status"] == "proposed" for matches in proposed)
    # load before each request (Renate, Dmitri, Aylin):  1 0 0 -> Dmitri;  1 1 0 -> Aylin;
    # 1 1 1, Turkish -> Aylin;  1 1 2, Turkish -> Aylin (the language counts before the load);
    # 1 1 3 -> Renate (registered before Dmitri);  2 1 3 -> Dmitri
    names = {renate["id"]: "Renate", dmitri["id"]: "Dmitri", aylin["id"]: "Aylin"}
    assert [names[matches[0]["volunteer_id"]] for matches in proposed] == [
        "Dmitri",
        "Aylin",
        "Aylin",
        "Aylin",
        "Renate",
        "Dmitri",
    ]
    # the score, too, sees the load a proposal earlier in the batch added: Dmitri free, Renate busy
    assert proposed[0][0]["score"] > proposed[4][0]["score"]


def test_a_batch_stores_requests_and_first_proposals_as_one_at_a_time_would(start_matching) -> None:
    with start_matching() as matching:
        renate = matching.register("Renate K.", languages=["de", "ru"])
        matching.register(
            "Ingrid W.",
            skills=["walk", "shopping"],
            availability=[
                {"weekday": "mo", "starts": "08:00", "ends": "09:30"},
                {"weekday": "th", "starts": "14:00", "ends": "18:00"},
            ],
        )
        matching.register("Olaf B.", quarter_id="rosslau")

    shopping = matching.help_requested(
        person_ref=uuid.uuid4(),
        skills=["shopping", "shopping"],
        languages=["ru", "de", "ru"],
        wanted_by=date(2026, 12, 1),
    )
    minor = matching.help_requested(age_band="under_18", asked_by="routing")
    escort = matching.help_requested(help_kind="escort", skills=["escort"])
    meta = matching.publish(shopping)
    matching.publish(minor)
    matching.publish(escort)
    matching.publish(shopping)  # the same request again, under a new event id: no second proposal

    with start_matching(consumer_batch_size=256) as matching:
        matching.wait_until_consumed()
        stored = matching.help_request(shopping.help_request_id)
        not_for_minor = matching.help_request(minor.help_request_id)
        nobody = matching.help_request(escort.help_request_id)
        [proposed] = matching.wait_for_event(PROPOSED, help_request_id=str(shopping.help_request_id))
        reasons = {m.body["help_request_id"]: m.body["reason"] for m in matching.wait_for_event(UNMATCHED, count=2)}

        engine = make_engine(matching.settings.database_url)
        try:
            with Session(engine) as session:
                person_ref = session.get(HelpRequest, shopping.help_request_id).person_ref  # type: ignore[union-attr]
                requested_event_id = session.get(HelpRequest, shopping.help_request_id).requested_event_id  # type: ignore[union-attr]
                # the pool reads the volunteers as the ORM does
                today = matching.clock.now().date()
                policy = MatchingPolicy(timedelta(hours=48), ZoneInfo("Europe/Berlin"))
                pool = CandidatePool(SimpleNamespace(session=session), policy, today=today)  # type: ignore[arg-type]
                read = {c.volunteer_id: c for c in pool.candidates("innenstadt-sued")}
                active = session.scalars(
                    select(Volunteer).where(Volunteer.quarter_id == "innenstadt-sued", Volunteer.status == "active")
                ).all()
                assert {v.id for v in active} == set(read)
                for volunteer in active:
                    candidate = read[volunteer.id]
                    assert candidate.skills == frozenset(volunteer.skills)
                    assert candidate.languages == frozenset(volunteer.languages)
                    assert candidate.slots == volunteer.slots
                    assert candidate.registered_at == volunteer.registered_at
                    assert pool.volunteer_ref("innenstadt-sued", volunteer.id) == volunteer.volunteer_ref
                    assert candidate.open_matches == (1 if volunteer.id == uuid.UUID(renate["id"]) else 0)
        finally:
            engine.dispose()

    assert stored["skills"] == ["shopping"] and stored["languages"] == ["ru", "de"]
    assert stored["wanted_by"] == "2026-12-01" and stored["urgency"] == "soon"
    assert stored["status"] == "proposed" and stored["unmatched_reason"] is None
    assert stored["received_at"] == stored["updated_at"]
    assert person_ref == shopping.person_ref and requested_event_id == str(meta.id)
    [match] = stored["matches"]
    assert match["volunteer_id"] == renate["id"] and match["attempt"] == 1 and match["status"] == "proposed"
    assert datetime.fromisoformat(match["proposed_at"]) == datetime.fromisoformat(stored["received_at"])
    assert datetime.fromisoformat(match["expires_at"]) == datetime.fromisoformat(match["proposed_at"]) + timedelta(
        hours=48
    )
    assert match["answered_at"] is None and match["decline_reason"] is None and match["hours"] is None
    assert proposed.body["match_id"] == match["id"] and proposed.body["score"] == match["score"]
    assert proposed.body["volunteer_ref"] == renate["volunteer_ref"]
    assert proposed.headers["ce-causationid"] == str(meta.id)

    assert not_for_minor["status"] == "unmatched" and not_for_minor["matches"] == []
    assert not_for_minor["unmatched_reason"] == "minor_without_youth_office"
    assert nobody["status"] == "unmatched" and nobody["unmatched_reason"] == "no_candidates"
    assert reasons == {
        str(minor.help_request_id): "minor_without_youth_office",
        str(escort.help_request_id): "no_candidates",
    }
