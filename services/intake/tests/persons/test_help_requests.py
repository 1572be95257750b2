"""Neighbourly help for a known person goes to matching only with the person's consent."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from qn_intake.help_requests.models import HelpRequest

pytestmark = pytest.mark.integration

HELP_REQUESTED = "qn.intake.help.requested.v1"
RECORDED = "qn.intake.concern.recorded.v1"
WITHDRAWN = "qn.intake.consent.withdrawn.v1"


def statuses(world, concern_id: str) -> list[str]:
    with world.runtime.sessions() as session:
        return list(session.scalars(select(HelpRequest.status).where(HelpRequest.concern_id == uuid.UUID(concern_id))))


def test_a_help_request_waits_for_consent_and_goes_out_when_consent_is_given(world) -> None:
    person = world.add_person(preferred_language="pl")
    concern = world.add_concern(person["id"], ["einsamkeit"])
    world.events(RECORDED, expect=1, concern_id=concern["id"])  # the concern's events are out ...
    assert world.no_events(HELP_REQUESTED, concern_id=concern["id"])  # ... but no help request
    assert statuses(world, concern["id"]) == ["awaiting_consent"]

    consent = world.give_consent(person["id"], "neighbourly_help")
    assert len(consent["released_help_requests"]) == 1
    event = world.events(HELP_REQUESTED, expect=1, concern_id=concern["id"])[0]
    assert event["person_ref"] == person["person_ref"]
    assert (event["help_kind"], event["languages"], event["quarter_id"]) == ("company", ["pl"], "innenstadt-sued")
    assert statuses(world, concern["id"]) == ["requested"]
    # with consent in place, the next request goes out at once
    later = world.add_concern(person["id"], ["digitale_hilfe"])
    assert world.events(HELP_REQUESTED, expect=1, concern_id=later["id"])[0]["help_kind"] == "digital_help"


def test_an_anonymous_concern_asks_for_no_help_until_its_person_is_named(world) -> None:
    concern = world.add_concern(None, ["einsamkeit"])
    world.events(RECORDED, expect=1, concern_id=concern["id"])
    assert world.no_events(HELP_REQUESTED, concern_id=concern["id"])  # nobody to help: no volunteer is asked
    assert statuses(world, concern["id"]) == ["needs_person"]
    queue = world.client.get("/queue", params={"kind": "help_request"}, headers=world.staff()).json()["items"]
    assert [(i["concern_id"], i["status"]) for i in queue] == [(concern["id"], "needs_person")]
    assert "Person fehlt" in queue[0]["label"]["de"]

    person = world.add_person()
    world.give_consent(person["id"], "neighbourly_help")
    linked = world.client.put(
        f"/concerns/{concern['id']}/person", json={"person_id": person["id"]}, headers=world.staff()
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["person_id"] == person["id"]
    assert [h["status"] for h in linked.json()["help_requests"]] == ["requested"]
    event = world.events(HELP_REQUESTED, expect=1, concern_id=concern["id"])[0]
    assert event["person_ref"] == person["person_ref"]
    again = world.client.put(
        f"/concerns/{concern['id']}/person", json={"person_id": person["id"]}, headers=world.staff()
    )
    assert (again.status_code, again.json()["code"]) == (409, "person_already_named")


def test_other_consents_do_not_release_help(world) -> None:
    person = world.add_person()
    concern = world.add_concern(person["id"], ["einsamkeit"])
    consent = world.give_consent(person["id"], "follow_up_contact")
    assert consent["released_help_requests"] == []
    world.events(RECORDED, expect=1, concern_id=concern["id"])
    assert world.no_events(HELP_REQUESTED, concern_id=concern["id"])
    assert statuses(world, concern["id"]) == ["awaiting_consent"]


def test_a_help_request_waits_when_the_consent_has_expired(world) -> None:
    person = world.add_person()
    clock = world.intake.clock
    world.give_consent(person["id"], "neighbourly_help", expires_at=(clock.now() + timedelta(hours=1)).isoformat())

    clock.advance(hours=2)
    concern = world.add_concern(person["id"], ["einsamkeit"])
    assert statuses(world, concern["id"]) == ["awaiting_consent"]


def test_withdrawing_neighbourly_help_consent_emits_consent_withdrawn_and_cancels_waiting_requests(world) -> None:
    person = world.add_person()
    consent = world.give_consent(person["id"], "neighbourly_help")
    sent = world.add_concern(person["id"], ["einsamkeit"])  # goes to matching at once
    world.events(HELP_REQUESTED, expect=1, concern_id=sent["id"])

    withdrawn = world.client.post(f"/consents/{consent['id']}/withdraw", headers=world.staff())
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["active"] is False and withdrawn.json()["withdrawn_at"]
    event = world.events(WITHDRAWN, expect=1, person_ref=person["person_ref"])[0]
    assert (event["purpose"], event["carrier_id"]) == ("neighbourly_help", None)
    assert statuses(world, sent["id"]) == ["cancelled"]

    waiting = world.add_concern(person["id"], ["nachbarschaftshilfe"])  # no consent now: it waits
    assert statuses(world, waiting["id"]) == ["awaiting_consent"]
    world.client.post(f"/consents/{consent['id']}/withdraw", headers=world.staff())  # 409, changes nothing
    assert statuses(world, waiting["id"]) == ["awaiting_consent"]


TUESDAYS = {"weekday": "tu", "starts": "10:00", "ends": "11:30"}


def test_recurring_help_goes_to_matching_with_its_weekly_slot_also_after_waiting_for_consent(world) -> None:
    person = world.add_person()
    concern = world.add_concern(person["id"], ["nachbarschaftshilfe"], help_kind="shopping", weekly_slot=TUESDAYS)
    assert [h["weekly_slot"] for h in concern["help_requests"]] == [TUESDAYS]  # the team sees what it asked for
    assert statuses(world, concern["id"]) == ["awaiting_consent"]

    world.give_consent(person["id"], "neighbourly_help")
    [event] = world.events(HELP_REQUESTED, expect=1, concern_id=concern["id"])
    assert (event["help_kind"], event["weekly_slot"]) == (
        "shopping",
        {"weekday": "tu", "starts": "10:00:00", "ends": "11:30:00"},
    )
    # a one-off says nothing about a slot
    once = world.add_concern(person["id"], ["nachbarschaftshilfe"], help_kind="shopping")
    assert world.events(HELP_REQUESTED, expect=1, concern_id=once["id"])[0]["weekly_slot"] is None


@pytest.mark.parametrize(
    ("slot", "topics", "field"),
    [
        ({"weekday": "tu", "starts": "11:30", "ends": "10:00"}, ["nachbarschaftshilfe"], "weekly_slot.ends"),
        ({"weekday": "tu", "starts": "10:00", "ends": "10:00"}, ["nachbarschaftshilfe"], "weekly_slot.ends"),
        ({"weekday": "tu", "starts": "25:00", "ends": "26:00"}, ["nachbarschaftshilfe"], "weekly_slot.starts"),
        ({"weekday": "tuesday", "starts": "10:00", "ends": "11:00"}, ["nachbarschaftshilfe"], "weekly_slot.weekday"),
        ({"weekday": "tu", "starts": "10:00"}, ["nachbarschaftshilfe"], "weekly_slot.ends"),
        (TUESDAYS, ["schulden"], "weekly_slot"),  # routing asks for no neighbourly help here
    ],
)
def test_a_weekly_slot_that_cannot_be_met_is_refused_naming_the_field(world, slot, topics, field) -> None:
    person = world.add_person()
    body = {"channel": "phone", "topics": topics, "urgency": "soon", "person_id": person["id"], "weekly_slot": slot}
    answer = world.client.post("/concerns", json=body, headers=world.staff())
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in answer.json()["errors"]]
