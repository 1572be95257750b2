"""The address only after acceptance, in intake (decision 0013): who accepted a help request --
as `match.accepted` names their login by pseudonym -- reads the person's first name, address and
phone, audited; nobody else, and nobody once the task is over. (End to end through matching:
`tests/test_neighbourly_help_address.py`.)"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import nats
import pytest

from qn_contracts.matching import AssignmentCompleted, MatchAccepted, MatchCancelled, MatchCompleted
from qn_infra.pseudonyms import LoginPseudonyms, load_pseudonym_key
from qn_testkit.waiting import eventually

from .test_help_loop import announce, asked_for_help, help_request

pytestmark = pytest.mark.integration

VOLUNTEER_REF = uuid.uuid4()


def pseudonyms(world: Any) -> LoginPseudonyms:
    """The pseudonyms matching computes, with the key both services share."""
    settings = world.intake.settings
    key = load_pseudonym_key(None, settings.pseudonym_key_file)
    assert key is not None
    return LoginPseudonyms(key, settings.auth_issuer)


def accepted(world: Any, *, volunteer: str | None = "renate.k", proxy: str | None = None) -> tuple[Any, ...]:
    """A help request whose task `volunteer` accepted (or `proxy`, a coordinator, for them)."""
    concern, request = asked_for_help(world)
    match_id = uuid.uuid4()
    ids = {"help_request_id": uuid.UUID(request["id"]), "volunteer_ref": VOLUNTEER_REF, "quarter_id": "innenstadt-sued"}
    announce(world, acceptance(world, match_id, ids, volunteer=volunteer, proxy=proxy))
    eventually(lambda: help_request(world, concern["id"])["status"] == "matched", what="the help request matched")
    return concern, request, match_id, ids


def acceptance(
    world: Any, match_id: uuid.UUID, ids: dict[str, Any], *, volunteer: str | None, proxy: str | None = None
) -> MatchAccepted:
    logins = pseudonyms(world)
    return MatchAccepted(
        match_id=match_id,
        help_kind="company",
        volunteer_login=logins.of(volunteer) if volunteer else None,
        proxy_login=logins.of(proxy) if proxy else None,
        **ids,
    )


async def handled(world: Any, consumer: str) -> bool:
    """Everything sent to `consumer` (a durable of intake on matching's stream) is committed and acked."""
    nc = await nats.connect(world.intake.nats_url)
    try:
        info = await nc.jetstream().consumer_info("QN_MATCHING", consumer)
        return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0
    finally:
        await nc.close()


def contact(world: Any, request: dict[str, Any], *roles: str, subject: str) -> Any:
    return world.client.get(f"/help-requests/{request['id']}/contact", headers=world.as_role(*roles, subject=subject))


def test_the_volunteer_who_accepted_reads_first_name_address_and_phone_and_the_read_is_audited(world: Any) -> None:
    _, request, _, _ = accepted(world)
    answer = contact(world, request, "volunteer", subject="renate.k")
    assert answer.status_code == 200, answer.text
    person = world.person
    assert answer.json() == {
        "help_request_id": request["id"],
        "help_kind": request["help_kind"],
        "given_name": person["given_name"],
        "phone": person["phone"],
        "address": person["address"],
    }
    assert person["family_name"] not in answer.text and person["email"] not in answer.text
    [entry] = [e for e in world.audit(actor="renate.k")]
    assert (entry["purpose"], entry["actor_roles"], entry["on_behalf_of"]) == ("neighbourly_help", ["volunteer"], None)
    assert set(entry["fields"]) == {"given_name", "phone", "street", "house_number", "postcode"}


def test_another_volunteer_a_coordinator_and_anyone_before_acceptance_are_refused(world: Any) -> None:
    _, waiting = asked_for_help(world)
    before = contact(world, waiting, "volunteer", subject="renate.k")
    assert (before.status_code, before.json()["reason"]) == (403, "not_your_task")

    _, request, _, _ = accepted(world)
    for roles, subject in ((("volunteer",), "dmitri.s"), (("coordinator",), "carla.coordinator")):
        refused = contact(world, request, *roles, subject=subject)
        assert (refused.status_code, refused.json()["reason"]) == (403, "not_your_task"), subject
    # the volunteer's login with another role is not the volunteer
    assert contact(world, request, "team_staff", subject="renate.k").status_code == 403
    assert world.audit(actor="dmitri.s") == [] and world.audit(actor="carla.coordinator") == []


def test_after_completion_or_a_cancelled_match_the_address_is_refused_again(world: Any) -> None:
    _, request, match_id, ids = accepted(world)
    assert contact(world, request, "volunteer", subject="renate.k").status_code == 200
    announce(world, AssignmentCompleted(match_id=match_id, help_kind="company", hours=Decimal("1.5"), **ids))
    ended = eventually(
        lambda: (r := contact(world, request, "volunteer", subject="renate.k")).status_code == 403 and r,
        what="the address refused after completion",
    )
    assert ended.json()["reason"] == "task_ended"

    _, other, other_match, other_ids = accepted(world)
    assert contact(world, other, "volunteer", subject="renate.k").status_code == 200
    announce(world, MatchCancelled(match_id=other_match, help_kind="company", reason="concern_closed", **other_ids))
    eventually(
        lambda: contact(world, other, "volunteer", subject="renate.k").status_code == 403,
        what="the address refused after the task was called off",
    )


def test_the_address_closes_when_the_task_is_marked_done_not_only_once_its_hours_are_approved(world: Any) -> None:
    concern, request, match_id, ids = accepted(world)
    assert contact(world, request, "volunteer", subject="renate.k").status_code == 200
    # the volunteer marked the task done; a coordinator has not looked at the hours yet
    announce(world, MatchCompleted(match_id=match_id, help_kind="company", **ids))
    ended = eventually(
        lambda: (r := contact(world, request, "volunteer", subject="renate.k")).status_code == 403 and r,
        what="the address refused once the task is done",
    )
    assert (ended.json()["reason"], ended.json()["ended_reason"]) == ("task_ended", "completed")
    assert help_request(world, concern["id"])["status"] == "matched", "the team waits for the approved hours"

    # the hours approved later change nothing for the address, and the team sees them
    announce(world, AssignmentCompleted(match_id=match_id, help_kind="company", hours=Decimal("2"), **ids))
    eventually(lambda: help_request(world, concern["id"])["status"] == "completed", what="the help given")
    assert contact(world, request, "volunteer", subject="renate.k").json()["reason"] == "task_ended"


def test_a_task_marked_done_before_intake_heard_of_its_acceptance_never_opens_the_address(world: Any) -> None:
    concern, request = asked_for_help(world)
    match_id = uuid.uuid4()
    ids = {"help_request_id": uuid.UUID(request["id"]), "volunteer_ref": VOLUNTEER_REF, "quarter_id": "innenstadt-sued"}
    # separate consumers catch up on their own after an outage: the end may be handled first
    announce(world, MatchCompleted(match_id=match_id, help_kind="company", **ids))
    eventually(lambda: asyncio.run(handled(world, "intake-match-completed")), what="match.completed handled")
    announce(world, acceptance(world, match_id, ids, volunteer="renate.k"))
    eventually(lambda: help_request(world, concern["id"])["status"] == "matched", what="the acceptance handled")
    refused = contact(world, request, "volunteer", subject="renate.k")
    assert (refused.status_code, refused.json()["reason"]) == (403, "task_ended")
    assert world.audit(actor="renate.k") == []


def test_a_withdrawn_consent_or_an_erasure_ends_the_access_at_once(world: Any) -> None:
    _, request, _, _ = accepted(world)
    [consent] = world.client.get(f"/persons/{_person_of(world, request)}/consents", headers=world.staff()).json()
    assert world.client.post(f"/consents/{consent['id']}/withdraw", headers=world.staff()).status_code == 200
    refused = contact(world, request, "volunteer", subject="renate.k")
    assert (refused.status_code, refused.json()["reason"]) == (403, "task_ended")

    _, erased, _, _ = accepted(world)
    person_id = _person_of(world, erased)
    assert world.client.delete(f"/persons/{person_id}", headers=world.coordinator()).status_code == 200
    assert contact(world, erased, "volunteer", subject="renate.k").status_code == 403


def test_a_coordinator_who_accepted_for_a_volunteer_without_a_smartphone_reads_it_on_their_behalf(
    world: Any,
) -> None:
    _, request, _, _ = accepted(world, volunteer=None, proxy="carla.coordinator")
    answer = contact(world, request, "coordinator", subject="carla.coordinator")
    assert answer.status_code == 200, answer.text
    assert answer.json()["given_name"] == world.person["given_name"]
    [entry] = world.audit(actor="carla.coordinator", subject_id=_person_of(world, request))
    assert (entry["purpose"], entry["on_behalf_of"]) == ("neighbourly_help", str(VOLUNTEER_REF))
    # another coordinator did not take the task on
    assert contact(world, request, "coordinator", subject="other.coordinator").status_code == 403


def _person_of(world: Any, request: dict[str, Any]) -> str:
    concern = world.client.get(f"/concerns/{request['concern_id']}", headers=world.staff()).json()
    return concern["person_id"]  # type: ignore[no-any-return]
