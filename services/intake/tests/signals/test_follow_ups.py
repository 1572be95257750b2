"""Follow-up tasks: completed once with an outcome, contact only under consent, escalated once when
overdue -- and the events they produce carry no personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from qn_testkit.waiting import eventually

from .conftest import OTHER_TEAM, PERSON, Warnings, at

pytestmark = pytest.mark.integration


def test_recording_contact_needs_consent_to_follow_up_contact_and_completing_twice_gets_409(warnings: Warnings) -> None:
    person = warnings.add_person()
    follow_up = warnings.raise_signal(signal_type="loneliness", person_id=person["id"])["follow_up"]

    refused = warnings.done(follow_up["id"], "contacted")
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "consent_missing"
    assert refused.json()["missing_consent"]["purpose"] == "follow_up_contact"
    assert warnings.client.get(f"/follow-ups/{follow_up['id']}", headers=warnings.staff()).json()["status"] == "open"

    warnings.give_consent(person["id"], "follow_up_contact")
    done = warnings.done(follow_up["id"], "contacted")
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "contacted")

    twice = warnings.done(follow_up["id"], "could_not_contact")
    assert twice.status_code == 409
    assert twice.json()["code"] == "follow_up_already_done"

    def published() -> list:  # type: ignore[type-arg]
        return warnings.events("follow_up.done")

    [event] = eventually(published, what="FollowUpDone")
    assert (event.body["follow_up_id"], event.body["outcome"]) == (follow_up["id"], "contacted")


def test_an_attempt_that_did_not_reach_the_person_needs_no_consent(warnings: Warnings) -> None:
    person = warnings.add_person()
    follow_up = warnings.raise_signal(signal_type="neglect", person_id=person["id"])["follow_up"]
    assert warnings.done(follow_up["id"], "could_not_contact").status_code == 200


def test_an_unknown_outcome_or_follow_up_is_refused(warnings: Warnings) -> None:
    follow_up = warnings.raise_signal(signal_type="neglect", quarter_id="rosslau")["follow_up"]
    wrong = warnings.done(follow_up["id"], "vanished", headers=warnings.staff("team-rosslau"))
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "outcome")
    missing = warnings.done("8c7b6a5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d", "contacted")
    assert missing.status_code == 404


def test_another_team_can_neither_see_nor_complete_a_teams_follow_ups(warnings: Warnings) -> None:
    follow_up = warnings.raise_signal(signal_type="neglect", quarter_id="innenstadt-sued")["follow_up"]
    other = warnings.staff(OTHER_TEAM)
    assert warnings.done(follow_up["id"], "no_action_needed", headers=other).status_code == 403
    listing = warnings.client.get("/follow-ups", params={"team_id": "team-innenstadt"}, headers=other)
    assert (listing.status_code, listing.json()["errors"][0]["field"]) == (403, "team_id")
    no_team = warnings.intake.tokens.headers("team_staff", subject="ohne-team")
    assert warnings.client.get("/follow-ups", headers=no_team).status_code == 403
    assert warnings.done(follow_up["id"], "no_action_needed", headers=warnings.coordinator()).status_code == 200


def test_an_overdue_follow_up_escalates_once_and_comes_first_in_the_queue(warnings: Warnings) -> None:
    for _ in range(2):
        warnings.record(urgency="immediate")
    follow_up = warnings.raise_signal(signal_type="neglect", quarter_id="innenstadt-mitte")["follow_up"]
    due = at(follow_up["due_at"])
    assert warnings.client.get("/queue", headers=warnings.staff()).json()["items"][0]["id"] != follow_up["id"]

    assert warnings.escalate(due - timedelta(minutes=1)) == []
    assert [str(i) for i in warnings.escalate(due + timedelta(hours=1))] == [follow_up["id"]]
    assert warnings.escalate(due + timedelta(hours=2)) == []

    first = warnings.client.get("/queue", headers=warnings.staff()).json()["items"][0]
    assert (first["kind"], first["id"], first["escalated"]) == ("follow_up", follow_up["id"], True)
    read = warnings.client.get(f"/follow-ups/{follow_up['id']}", headers=warnings.staff()).json()
    assert at(read["escalated_at"]) == due + timedelta(hours=1)

    def published() -> list:  # type: ignore[type-arg]
        return warnings.events("follow_up.overdue")

    [event] = eventually(published, what="FollowUpOverdue")
    assert (event.body["follow_up_id"], at(event.body["due_at"])) == (follow_up["id"], due)
    assert warnings.events("follow_up.overdue") == [event]  # no second escalation


def test_follow_ups_are_listed_by_status_and_overdue(warnings: Warnings) -> None:
    open_one = warnings.raise_signal(signal_type="neglect", quarter_id="innenstadt-mitte")["follow_up"]
    done_one = warnings.raise_signal(signal_type="loneliness", quarter_id="innenstadt-mitte")["follow_up"]
    assert warnings.done(done_one["id"], "no_action_needed").status_code == 200

    def ids(**params: str) -> list[str]:
        response = warnings.client.get("/follow-ups", params=params, headers=warnings.staff())
        assert response.status_code == 200, response.text
        return [f["id"] for f in response.json()["items"]]

    assert ids(status="open") == [open_one["id"]]
    assert ids(status="done") == [done_one["id"]]
    assert ids(overdue="true") == []
    bad = warnings.client.get("/follow-ups", params={"status": "closed"}, headers=warnings.staff())
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "status")


def test_events_on_qn_intake_carry_no_personal_data(warnings: Warnings) -> None:
    person = warnings.add_person()
    note = "Frau Mustermann, Tel. 0340 555 1234: Wohnung stark vermüllt"
    signal = warnings.raise_signal(signal_type="neglect", person_id=person["id"], note=note)
    warnings.escalate(at(signal["follow_up"]["due_at"]) + timedelta(hours=1))
    warnings.done(signal["follow_up"]["id"], "could_not_contact")
    discharge = warnings.record(channel="discharge_notice", topics=["pflege"], person_id=person["id"], note=note)
    warnings.run_rules(at(discharge["recorded_at"]) + timedelta(hours=49))

    def published() -> list:  # type: ignore[type-arg]
        messages = warnings.events("signal.", "follow_up.")
        return messages if len(messages) == 6 else []  # 2 raised, 2 due, 1 overdue, 1 done

    messages = eventually(published, what="six signal and follow-up events")
    raised = [m.body for m in messages if m.subject.endswith("signal.raised")]
    assert {r["person_ref"] for r in raised} == {person["person_ref"]}
    forbidden = [PERSON["given_name"], PERSON["family_name"], PERSON["phone"], PERSON["email"], "Franzstra", "vermüllt"]
    forbidden += [person["id"]]  # intake's own row id is not for other services either
    for message in messages:
        text = json.dumps(message.body, ensure_ascii=False) + json.dumps(message.headers, ensure_ascii=False)
        assert not [word for word in forbidden if word in text], message.subject


def test_a_follow_up_done_says_whether_it_was_done_by_its_due_date(warnings: Warnings) -> None:
    early = warnings.raise_signal(signal_type="neglect", quarter_id="innenstadt-mitte")["follow_up"]
    late = warnings.raise_signal(signal_type="neglect", quarter_id="innenstadt-mitte")["follow_up"]
    assert warnings.done(early["id"], "no_action_needed").status_code == 200
    warnings.intake.clock.advance(at(late["due_at"]) - warnings.intake.clock.now() + timedelta(hours=1))
    assert warnings.done(late["id"], "no_action_needed").status_code == 200

    def published() -> dict[str, bool]:
        found = {e.body["follow_up_id"]: e.body.get("on_time") for e in warnings.events("follow_up.done")}
        return found if len(found) == 2 else {}

    # reporting keeps no task: it counts follow-ups done in time from this
    assert eventually(published, what="two FollowUpDone") == {early["id"]: True, late["id"]: False}
