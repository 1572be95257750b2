"""Proposals nobody answers in time expire, and the next volunteer is asked. Time passes by
moving the service's clock, never by waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qn_matching.matches.handlers import expire_proposals

pytestmark = pytest.mark.integration

EXPIRED = "qn.matching.match.expired.v1"


def expire_at(matching, now: datetime) -> int:
    app = matching.client.app
    return expire_proposals(now=now, uow=app.state.runtime.unit_of_work(), policy=app.state.matching.policy)


@pytest.mark.across_dates
def test_an_unanswered_proposal_expires_after_48_hours_and_the_next_volunteer_is_asked(matching) -> None:
    renate = matching.register("Renate K.")
    dmitri = matching.register("Dmitri S.")
    event = matching.help_requested()
    matching.publish(event)
    first = matching.help_request(event.help_request_id)["matches"][0]
    assert first["volunteer_id"] == renate["id"]
    proposed_at = datetime.fromisoformat(first["proposed_at"])
    assert datetime.fromisoformat(first["expires_at"]) - proposed_at == timedelta(hours=48)

    # 48 hours are 48 hours, also over a night whose clocks go back
    assert expire_at(matching, proposed_at + timedelta(hours=47, minutes=59)) == 0
    assert expire_at(matching, proposed_at + timedelta(hours=48)) == 1

    first_now, second = matching.help_request(event.help_request_id)["matches"]
    assert first_now["status"] == "expired"
    assert second["volunteer_id"] == dmitri["id"] and second["attempt"] == 2 and second["status"] == "proposed"
    [expired] = matching.wait_for_event(EXPIRED, match_id=first["id"])
    assert expired.body["volunteer_ref"] == renate["volunteer_ref"]
    matching.wait_for_event("qn.matching.match.proposed.v1", help_request_id=str(event.help_request_id), attempt="2")

    late = matching.client.post(f"/matches/{first['id']}/accept", headers=matching.coordinator())
    assert late.status_code == 409 and late.json()["current_status"] == "expired"


def test_when_every_proposal_expired_the_request_goes_to_the_coordinator(matching) -> None:
    matching.register("Renate K.")
    event = matching.help_requested()
    matching.publish(event)
    proposed_at = datetime.fromisoformat(matching.help_request(event.help_request_id)["matches"][0]["proposed_at"])

    assert expire_at(matching, proposed_at + timedelta(days=3)) == 1
    assert expire_at(matching, proposed_at + timedelta(days=6)) == 0  # nothing left to expire

    request = matching.help_request(event.help_request_id)
    assert request["status"] == "unmatched" and request["unmatched_reason"] == "all_expired"
    [unmatched] = matching.wait_for_event(
        "qn.matching.help_request.unmatched.v1", help_request_id=str(event.help_request_id)
    )
    assert unmatched.body["reason"] == "all_expired"


def test_an_answered_proposal_never_expires(matching) -> None:
    matching.register("Renate K.")
    event = matching.help_requested()
    matching.publish(event)
    match = matching.help_request(event.help_request_id)["matches"][0]
    matching.client.post(f"/matches/{match['id']}/accept", headers=matching.coordinator())

    assert expire_at(matching, matching.clock.now() + timedelta(days=30)) == 0
    assert matching.help_request(event.help_request_id)["status"] == "matched"


def test_the_service_expires_an_unanswered_proposal_by_itself_once_48_hours_have_passed(start_matching) -> None:
    with start_matching(expiry_check_seconds=0.2) as matching:
        matching.register("Renate K.")
        event = matching.help_requested()
        matching.publish(event)
        match = matching.help_request(event.help_request_id)["matches"][0]
        assert match["status"] == "proposed"
        matching.clock.advance(hours=48)
        matching.wait_for_event(EXPIRED, match_id=match["id"])
        matching.wait_for_event("qn.matching.help_request.unmatched.v1", help_request_id=str(event.help_request_id))
        assert matching.help_request(event.help_request_id)["unmatched_reason"] == "all_expired"
