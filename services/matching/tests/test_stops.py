"""When intake says stop -- consent to neighbourly help withdrawn, a person's data erased, the
concern closed -- matching calls off what is still open and forgets what it must."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from qn_contracts.intake import ConcernClosed, ConsentWithdrawn, PersonErased
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

CANCELLED_MATCH = "qn.matching.match.cancelled.v1"
CANCELLED_REQUEST = "qn.matching.help_request.cancelled.v1"


def proposed_request(matching, person_ref: uuid.UUID):  # type: ignore[no-untyped-def]
    matching.register("Renate K.", account="renate.k")
    event = matching.help_requested(person_ref=person_ref)
    matching.publish(event)
    request = matching.help_request(event.help_request_id)
    assert request["status"] == "proposed"
    return event, request


def status_of(matching, help_request_id: uuid.UUID) -> str:  # type: ignore[no-untyped-def]
    return matching.client.get(f"/help-requests/{help_request_id}", headers=matching.coordinator()).json()["status"]


def test_withdrawn_consent_to_neighbourly_help_calls_off_the_open_proposal(matching) -> None:
    person_ref = uuid.uuid4()
    event, request = proposed_request(matching, person_ref)
    matching.publish(ConsentWithdrawn(person_ref=person_ref, purpose="neighbourly_help"))

    eventually(lambda: status_of(matching, event.help_request_id) == "cancelled", what="request cancelled")
    [called_off] = matching.wait_for_event(CANCELLED_MATCH, match_id=request["matches"][0]["id"])
    assert called_off.body["reason"] == "consent_withdrawn"
    matching.wait_for_event(CANCELLED_REQUEST, help_request_id=str(event.help_request_id))
    answer = matching.client.post(
        f"/matches/{request['matches'][0]['id']}/accept", headers=matching.volunteer("renate.k")
    )
    assert answer.status_code == 409, "a called-off proposal cannot be accepted any more"


def test_withdrawing_a_different_consent_changes_nothing(matching) -> None:
    person_ref = uuid.uuid4()
    event, _ = proposed_request(matching, person_ref)
    matching.publish(ConsentWithdrawn(person_ref=person_ref, purpose="follow_up_contact"))
    matching.wait_until_consumed("matching-consent-withdrawn")
    assert status_of(matching, event.help_request_id) == "proposed"


def test_an_erased_person_is_forgotten_and_their_requests_stopped(matching) -> None:
    person_ref = uuid.uuid4()
    event, _ = proposed_request(matching, person_ref)
    matching.publish(PersonErased(person_ref=person_ref))

    eventually(lambda: status_of(matching, event.help_request_id) == "cancelled", what="request cancelled")
    # the reference is not shown over HTTP at all: look into matching's own database
    engine = create_engine(matching.settings.database_url)
    with engine.connect() as connection:
        stored = (
            connection.execute(
                text("SELECT person_ref FROM help_requests WHERE id = :id"), {"id": event.help_request_id.hex}
            ).all()
            or connection.execute(
                text("SELECT person_ref FROM help_requests WHERE id = :id"), {"id": str(event.help_request_id)}
            ).all()
        )
    engine.dispose()
    assert stored == [(None,)]
    matching.wait_for_event(CANCELLED_REQUEST, help_request_id=str(event.help_request_id), reason="person_erased")


def test_a_closed_concern_stops_an_unanswered_request_but_not_an_accepted_task(matching) -> None:
    matching.register("Renate K.", account="renate.k")
    open_one = matching.help_requested()
    accepted_one = matching.help_requested()
    for event in (open_one, accepted_one):
        matching.publish(event)
    accepted_match = matching.help_request(accepted_one.help_request_id)["matches"][0]
    assert (
        matching.client.post(
            f"/matches/{accepted_match['id']}/accept", headers=matching.volunteer("renate.k")
        ).status_code
        == 200
    )
    matching.help_request(open_one.help_request_id)

    for event in (open_one, accepted_one):
        matching.publish(
            ConcernClosed(
                concern_id=event.concern_id,
                quarter_id=event.quarter_id,
                topics=["nachbarschaftshilfe"],
                outcome="resolved",
            )
        )

    eventually(lambda: status_of(matching, open_one.help_request_id) == "cancelled", what="open request cancelled")
    matching.wait_until_consumed("matching-concern-closed")
    assert status_of(matching, accepted_one.help_request_id) == "matched"


def test_an_erased_persons_requests_keep_no_note_a_volunteer_wrote_on_declining(matching) -> None:
    person_ref = uuid.uuid4()
    event, request = proposed_request(matching, person_ref)
    match_url = f"/matches/{request['matches'][0]['id']}"
    matching.client.post(
        f"{match_url}/decline",
        json={"reason": "knows_the_person", "note": "Frau A. ist meine Nachbarin."},
        headers=matching.volunteer("renate.k"),
    ).raise_for_status()

    matching.publish(PersonErased(person_ref=person_ref))

    eventually(lambda: status_of(matching, event.help_request_id) == "cancelled", what="request cancelled")
    declined = matching.client.get(match_url, headers=matching.coordinator()).json()
    assert (declined["decline_reason"], declined["decline_note"]) == ("knows_the_person", None)
