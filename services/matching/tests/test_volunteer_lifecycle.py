"""A volunteer's way in and out: offering to help without a login, a coordinator's review,
pausing for a holiday, archiving with a reason -- and who is proposed on the way."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.integration

APPLICATIONS = "/volunteers/applications"


def application(name: str = "Renate K.", **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "display_name": name,
        "contact": "Tel. 0340 555 01 23",
        "quarter_id": "innenstadt-sued",
        "skills": ["shopping"],
        "languages": ["de"],
        "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
    }
    body.update(overrides)
    return body


def outcome(matching, **event_fields: object) -> dict:
    """Publishes a shopping request in Innenstadt Süd and returns it as matching stored it."""
    event = matching.help_requested(**event_fields)
    matching.publish(event)
    return matching.help_request(event.help_request_id)


def test_offering_to_help_without_a_login_answers_a_reference_and_nothing_that_was_sent(matching) -> None:
    response = matching.client.post(APPLICATIONS, json=application(contact="renate@example.org"))
    assert response.status_code == 202, response.text
    assert list(response.json()) == ["reference"]
    assert "Renate" not in response.text and "example.org" not in response.text
    waiting = matching.client.get("/volunteers", params={"status": "prospective"}, headers=matching.coordinator())
    [prospective] = waiting.json()
    assert prospective["application_ref"] == response.json()["reference"]
    assert prospective["display_name"] == "Renate K." and prospective["contact"] == "renate@example.org"
    [registered] = matching.wait_for_event(
        "qn.matching.volunteer.registered.v1", volunteer_ref=prospective["volunteer_ref"]
    )
    assert registered.body["status"] == "prospective"


def test_nobody_is_proposed_before_a_coordinator_approved_them_and_they_are_active(matching) -> None:
    matching.client.post(APPLICATIONS, json=application())
    [renate] = matching.client.get("/volunteers", headers=matching.coordinator()).json()
    assert outcome(matching)["unmatched_reason"] == "no_candidates"

    status = f"/volunteers/{renate['id']}/status"
    approved = matching.client.post(
        status, json={"status": "approved", "account": "renate.k"}, headers=matching.coordinator()
    )
    assert approved.status_code == 200 and approved.json()["account"] == "renate.k"
    assert outcome(matching)["unmatched_reason"] == "no_candidates"

    assert matching.client.post(status, json={"status": "active"}, headers=matching.coordinator()).status_code == 200
    assert outcome(matching)["matches"][0]["volunteer_id"] == renate["id"]
    mine = matching.client.get("/volunteers/me", headers=matching.volunteer("renate.k"))
    assert mine.status_code == 200 and mine.json()["id"] == renate["id"]


def test_a_denied_applicant_gets_no_proposal_and_cannot_be_made_active(matching) -> None:
    matching.client.post(APPLICATIONS, json=application())
    [olaf] = matching.client.get("/volunteers", headers=matching.coordinator()).json()
    status = f"/volunteers/{olaf['id']}/status"
    assert matching.client.post(status, json={"status": "denied"}, headers=matching.coordinator()).status_code == 200
    again = matching.client.post(status, json={"status": "active"}, headers=matching.coordinator())
    assert again.status_code == 409 and again.json()["current_status"] == "denied"
    assert outcome(matching)["unmatched_reason"] == "no_candidates"


def test_a_self_registration_is_small_and_rate_limited_per_address(start_matching) -> None:
    with start_matching(public_rate_limit="3/hour") as matching:
        too_big = matching.client.post(APPLICATIONS, json=application(contact="x" * 5000))
        assert too_big.status_code == 413 and too_big.json()["errors"][0]["field"] == "body"
        bad = matching.client.post(APPLICATIONS, json=application(skills=["juggling"]))
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "skills.0"
        assert matching.client.post(APPLICATIONS, json=application()).status_code == 202
        limited = matching.client.post(APPLICATIONS, json=application())
        assert limited.status_code == 429 and limited.headers["Retry-After"]
        assert len(matching.client.get("/volunteers", headers=matching.coordinator()).json()) == 1


def test_volunteers_change_their_own_offer_and_nobody_elses(matching) -> None:
    renate = matching.register("Renate K.", account="renate.k")
    dmitri = matching.register("Dmitri S.", account="dmitri.s")
    changed = matching.client.patch(
        f"/volunteers/{renate['id']}",
        json={"skills": ["walk", "reading"], "availability": [{"weekday": "fr", "starts": "09:00", "ends": "11:00"}]},
        headers=matching.volunteer("renate.k"),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["skills"] == ["walk", "reading"] and changed.json()["languages"] == ["de"]
    assert changed.json()["availability"] == [{"weekday": "fr", "starts": "09:00", "ends": "11:00"}]
    others = matching.client.patch(
        f"/volunteers/{dmitri['id']}", json={"skills": ["walk"]}, headers=matching.volunteer("renate.k")
    )
    assert others.status_code == 403
    unknown = matching.client.patch(
        f"/volunteers/{renate['id']}", json={"skills": ["walk", "juggling"]}, headers=matching.volunteer("renate.k")
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "skills.1"


def test_a_volunteer_away_on_holiday_is_not_asked_until_they_are_back(matching) -> None:
    renate = matching.register("Renate K.", account="renate.k")
    today = matching.clock.now().astimezone(ZoneInfo("Europe/Berlin")).date()
    away = matching.client.post(
        f"/volunteers/{renate['id']}/absences",
        json={"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=6)).isoformat(), "reason": "holiday"},
        headers=matching.volunteer("renate.k"),
    )
    assert away.status_code == 201, away.text
    assert away.json()["absences"][0]["reason"] == "holiday"
    assert outcome(matching)["unmatched_reason"] == "no_candidates"
    matching.clock.advance(days=7)
    assert outcome(matching)["matches"][0]["volunteer_id"] == renate["id"]
    backwards = matching.client.post(
        f"/volunteers/{renate['id']}/absences",
        json={"starts_on": "2027-01-10", "ends_on": "2027-01-03"},
        headers=matching.volunteer("renate.k"),
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "ends_on"


def test_archiving_names_its_reason_and_who_died_does_not_come_back(matching) -> None:
    renate = matching.register("Renate K.")
    status = f"/volunteers/{renate['id']}/status"
    no_reason = matching.client.post(status, json={"status": "inactive"}, headers=matching.coordinator())
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "archive_reason"
    archived = matching.client.post(
        status, json={"status": "inactive", "archive_reason": "deceased"}, headers=matching.coordinator()
    )
    assert archived.status_code == 200 and archived.json()["archive_reason"] == "deceased"
    back = matching.client.post(status, json={"status": "active"}, headers=matching.coordinator())
    assert back.status_code == 409 and back.json()["archive_reason"] == "deceased"
    [changed] = matching.wait_for_event("qn.matching.volunteer.status_changed.v1", to_status="inactive")
    assert "reason" not in str(changed.body) and "deceased" not in str(changed.headers)
