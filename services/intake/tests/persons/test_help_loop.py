"""The loop closes: what matching answers comes back to intake, so the team sees whether the help it
asked for was arranged, given (with hours) or found nobody -- and what found nobody is back in the
team's work queue until the team records another way."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest

from qn_contracts import Event, EventMeta, encode
from qn_contracts.matching import AssignmentCompleted, HelpRequestUnmatched, MatchAccepted
from qn_testkit.streams import publish_raw
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

VOLUNTEER = uuid.uuid4()


def announce(world: Any, event: Event) -> None:
    """Publishes an event onto the broker as matching does (CloudEvents headers, checked ack)."""
    message = encode(event, EventMeta.for_event(event, time=world.intake.clock.now()))
    asyncio.run(publish_raw(world.intake.nats_url, message.subject, message.body, message.headers))


def help_request(world: Any, concern_id: str) -> dict[str, Any]:
    concern = world.client.get(f"/concerns/{concern_id}", headers=world.staff()).json()
    [request] = concern["help_requests"]
    return request  # type: ignore[no-any-return]


def asked_for_help(world: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    person = world.add_person()
    world.give_consent(person["id"], "neighbourly_help")
    concern = world.add_concern(person["id"], ["einsamkeit"])
    request = help_request(world, concern["id"])
    assert request["status"] == "requested"
    return concern, request


def test_the_team_sees_that_a_volunteer_accepted_and_then_the_hours_given(world: Any) -> None:
    concern, request = asked_for_help(world)
    ids = {"help_request_id": uuid.UUID(request["id"]), "volunteer_ref": VOLUNTEER, "quarter_id": "innenstadt-sued"}
    match_id = uuid.uuid4()

    announce(world, MatchAccepted(match_id=match_id, help_kind="company", **ids))
    matched = eventually(
        lambda: (r := help_request(world, concern["id"]))["status"] == "matched" and r, what="the help request matched"
    )
    assert matched["status_label"]["de"] == "Ehrenamtliche:r gefunden" and matched["matched_at"]

    completed = AssignmentCompleted(
        match_id=match_id, help_kind="company", hours=Decimal("2.5"), hours_source="paper", **ids
    )
    announce(world, completed)
    done = eventually(
        lambda: (r := help_request(world, concern["id"]))["status"] == "completed" and r, what="the help given"
    )
    assert Decimal(str(done["hours"])) == Decimal("2.5") and done["completed_at"]
    assert done["hours_source"] == "paper", "the team sees the approved hours came from a paper slip"


def test_nobody_found_comes_back_into_the_queue_until_the_team_finds_another_way(world: Any) -> None:
    concern, request = asked_for_help(world)
    announce(
        world,
        HelpRequestUnmatched(
            help_request_id=uuid.UUID(request["id"]),
            quarter_id="innenstadt-sued",
            help_kind="company",
            reason="all_declined",
        ),
    )

    def in_queue() -> list[dict[str, Any]]:
        items = world.client.get("/queue", params={"kind": "help_request"}, headers=world.staff()).json()["items"]
        return [i for i in items if i["id"] == request["id"]]

    [item] = eventually(in_queue, what="the unmatched help request in the queue")
    assert (item["status"], item["reason"]) == ("unmatched", "all_declined")
    assert "niemand gefunden – anderer Weg nötig" in item["label"]["de"]
    assert help_request(world, concern["id"])["unmatched_reason"] == "all_declined"

    step = {"step": "volunteer_found_otherwise", "note": "Nachbarin aus dem Haus kommt dienstags"}
    answer = world.client.post(f"/help-requests/{request['id']}/next-step", json=step, headers=world.staff())
    assert answer.status_code == 200, answer.text
    assert answer.json()["next_step"]["code"] == "volunteer_found_otherwise"
    assert in_queue() == []
    other_team = world.as_role("team_staff", team="team-nord", subject="nord-1")
    refused = world.client.post(f"/help-requests/{request['id']}/next-step", json=step, headers=other_team)
    assert refused.status_code == 403


def test_an_event_for_a_help_request_intake_does_not_know_changes_nothing_and_is_acknowledged(world: Any) -> None:
    concern, request = asked_for_help(world)
    unknown = uuid.uuid4()
    announce(
        world, MatchAccepted(match_id=uuid.uuid4(), help_request_id=unknown, volunteer_ref=VOLUNTEER, quarter_id="x")
    )
    # the consumer goes on: the next event, for a known request, is handled
    announce(
        world,
        MatchAccepted(
            match_id=uuid.uuid4(), help_request_id=uuid.UUID(request["id"]), volunteer_ref=VOLUNTEER, quarter_id="x"
        ),
    )
    eventually(lambda: help_request(world, concern["id"])["status"] == "matched", what="the known request matched")
