"""Closing the loop: carriers answer referrals with their own credentials, the referring team sees
where each referral stands, and every change is an event."""

from __future__ import annotations

import pytest

from qn_testkit.waiting import eventually

from .conftest import ADDICTION, DEBT, OTHER_TEAM, Loop

pytestmark = pytest.mark.integration


def test_a_carrier_accepts_and_completes_its_referral_and_the_team_sees_it_on_the_concern(loop: Loop) -> None:
    concern = loop.record(topics=["schulden"])
    referral_id = concern["referrals"][0]["id"]
    caritas = loop.carrier(DEBT)

    assert loop.status(referral_id, caritas, "accepted").json()["status"] == "accepted"
    assert loop.status(referral_id, caritas, "in_progress").status_code == 200
    done = loop.status(referral_id, caritas, "completed", reason="got_help", note="Termin am 3.3. stattgefunden")
    assert done.status_code == 200, done.text
    answer = done.json()
    assert (answer["status"], answer["reason"], answer["decided_by"]) == ("completed", "got_help", "carrier")
    assert [t["to_status"] for t in done.json()["transitions"]] == ["accepted", "in_progress", "completed"]
    assert done.json()["allowed_next"] == []

    on_the_concern = loop.client.get(f"/concerns/{concern['id']}", headers=loop.team())
    assert on_the_concern.status_code == 200
    loop_closed = [(r["status"], r["reason"], r["decided_by"]) for r in on_the_concern.json()["referrals"]]
    assert loop_closed == [("completed", "got_help", "carrier")]
    history = loop.client.get(f"/referrals/{referral_id}", headers=loop.team()).json()["transitions"]
    assert history[-1]["note"] == "Termin am 3.3. stattgefunden"
    assert history[-1]["actor"] == f"sachbearbeitung@{DEBT}" and history[-1]["actor_org"] == DEBT


def test_a_carrier_cannot_see_or_change_another_carriers_referral(loop: Loop) -> None:
    referral_id = loop.refer(DEBT, topics=["schulden"])
    diakonie = loop.carrier(ADDICTION)

    read = loop.client.get(f"/referrals/{referral_id}", headers=diakonie)
    change = loop.status(referral_id, diakonie, "accepted")
    contact = loop.client.get(f"/referrals/{referral_id}/contact", headers=diakonie)
    assert read.status_code == change.status_code == contact.status_code == 403
    assert read.json()["code"] == "not_your_referral"
    assert "nicht an Ihre Organisation" in read.json()["detail"]
    assert loop.client.get(f"/referrals/{referral_id}", headers=loop.carrier(DEBT)).json()["status"] == "requested"
    assert [r["id"] for r in loop.client.get("/referrals", headers=diakonie).json()["items"]] == []


def test_an_invalid_transition_gets_409_listing_the_allowed_ones(loop: Loop) -> None:
    referral_id = loop.refer(DEBT)
    german = loop.status(referral_id, loop.carrier(), "completed", reason="got_help")
    english = loop.status(referral_id, {**loop.carrier(), "Accept-Language": "en"}, "completed", reason="got_help")

    assert german.status_code == english.status_code == 409
    assert german.json()["allowed"] == ["accepted", "rejected", "cancelled", "entered_in_error"]
    assert german.json()["allowed_for_you"] == ["accepted", "rejected"]
    assert german.json()["current_status"] == "requested"
    assert "Möglich: accepted, rejected, cancelled, entered_in_error" in german.json()["detail"]
    assert "Possible: accepted, rejected, cancelled, entered_in_error" in english.json()["detail"]
    assert loop.client.get(f"/referrals/{referral_id}", headers=loop.carrier()).json()["transitions"] == []


def test_declining_needs_a_reason_and_records_who_declined(loop: Loop) -> None:
    by_carrier = loop.refer(DEBT)
    by_resident = loop.refer(DEBT)
    caritas = loop.carrier()

    without_reason = loop.status(by_carrier, caritas, "rejected")
    assert without_reason.status_code == 422
    assert without_reason.json()["errors"][0]["field"] == "reason"
    assert "no_capacity" in without_reason.json()["reasons"]

    declined = loop.status(by_carrier, caritas, "rejected", reason="no_capacity").json()
    assert (declined["status"], declined["reason"], declined["decided_by"]) == ("rejected", "no_capacity", "carrier")
    resident = loop.status(by_resident, caritas, "rejected", reason="resident_declined").json()
    assert (resident["reason"], resident["decided_by"]) == ("resident_declined", "resident")
    assert resident["transitions"][0]["decided_by"] == "resident"


def test_a_carrier_cannot_cancel_but_the_team_can_and_can_record_an_answer_given_by_phone(loop: Loop) -> None:
    answered_by_phone = loop.refer(DEBT)
    withdrawn = loop.refer(DEBT)

    refused = loop.status(withdrawn, loop.carrier(), "cancelled", reason="referred_elsewhere")
    assert refused.status_code == 403 and refused.json()["code"] == "status_not_for_carriers"

    phoned = loop.status(answered_by_phone, loop.team(), "rejected", reason="out_of_area").json()
    assert (phoned["decided_by"], phoned["transitions"][0]["actor_org"]) == ("carrier", "team-innenstadt")
    cancelled = loop.status(withdrawn, loop.team(), "cancelled", reason="referred_elsewhere").json()
    assert (cancelled["status"], cancelled["decided_by"]) == ("cancelled", "team")


def test_sending_the_same_answer_twice_changes_nothing_the_second_time(loop: Loop) -> None:
    referral_id = loop.refer(DEBT)
    first = loop.status(referral_id, loop.carrier(), "accepted")
    again = loop.status(referral_id, loop.carrier(), "accepted")
    assert first.status_code == again.status_code == 200
    assert len(again.json()["transitions"]) == 1


def test_a_carrier_lists_only_its_referrals_soonest_due_first_page_by_page(loop: Loop) -> None:
    plannable = loop.refer(DEBT, urgency="plannable")
    immediate = loop.refer(DEBT, urgency="immediate")
    soon = loop.refer(DEBT, urgency="soon")
    loop.refer(ADDICTION, topics=["sucht"])
    loop.status(soon, loop.carrier(), "accepted")

    first = loop.client.get("/referrals?page_size=2", headers=loop.carrier()).json()
    second = loop.client.get("/referrals?page_size=2&page=2", headers=loop.carrier()).json()
    assert first["total"] == second["total"] == 3
    assert [r["id"] for r in first["items"] + second["items"]] == [immediate, soon, plannable]
    assert {r["target_id"] for r in first["items"] + second["items"]} == {DEBT}

    accepted = loop.client.get("/referrals?status=accepted", headers=loop.carrier()).json()
    assert [r["id"] for r in accepted["items"]] == [soon]
    assert loop.client.get("/referrals?page=0", headers=loop.carrier()).status_code == 422


def test_team_staff_see_their_teams_referrals_and_a_coordinator_sees_every_team(loop: Loop) -> None:
    ours = loop.refer(DEBT)
    theirs = loop.refer(DEBT, address=None, quarter_id="ziebigk")  # team-nord's quarter

    team = {r["id"] for r in loop.client.get("/referrals", headers=loop.team()).json()["items"]}
    nord = {r["id"] for r in loop.client.get("/referrals", headers=loop.team(OTHER_TEAM)).json()["items"]}
    every = {r["id"] for r in loop.client.get("/referrals", headers=loop.coordinator()).json()["items"]}
    assert (team, nord, every) == ({ours}, {theirs}, {ours, theirs})
    assert loop.client.get(f"/referrals/{ours}", headers=loop.team(OTHER_TEAM)).status_code == 403


def test_a_referral_shows_status_due_date_topics_and_quarter_but_no_personal_data(loop: Loop) -> None:
    referral_id = loop.refer(DEBT, note="Frau E. M., Tel. 0340 555 1234")
    loop.status(referral_id, loop.team(), "accepted", note="telefonisch: Frau E. M. kommt Dienstag")
    seen = loop.client.get(f"/referrals/{referral_id}", headers=loop.carrier())
    assert seen.status_code == 200
    body = seen.json()
    assert (body["status"], body["topics"], body["quarter_id"]) == ("accepted", ["schulden"], "innenstadt-sued")
    assert body["overdue"] is False
    assert body["due_at"] and body["escalated_at"] is None and body["person_attached"] is False
    assert "Frau" not in seen.text and "0340" not in seen.text and "Franzstra" not in seen.text
    assert "staff@" not in seen.text  # the team's accounts are not shown to carriers


def test_every_transition_is_an_event_on_qn_intake_without_personal_data(loop: Loop) -> None:
    referral_id = loop.refer(DEBT, note="Herr K., Tel. 0340 999")
    caritas = loop.carrier()
    for to_status, extra in [
        ("accepted", {}),
        ("in_progress", {}),
        ("on_hold", {}),
        ("in_progress", {}),
        ("failed", {"reason": "could_not_contact", "note": "Herr K. nie erreicht"}),
    ]:
        assert loop.status(referral_id, caritas, to_status, **extra).status_code == 200

    def changes() -> list:  # type: ignore[type-arg]
        found = [m for m in loop.events("referral.status_changed.v1") if m.body["referral_id"] == referral_id]
        return found if len(found) == 5 else []

    messages = eventually(changes, what="five status changes on QN_INTAKE")
    assert [(m.body["from_status"], m.body["to_status"]) for m in messages] == [
        ("requested", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "on_hold"),
        ("on_hold", "in_progress"),
        ("in_progress", "failed"),
    ]
    assert (messages[-1].body["reason"], messages[-1].body["decided_by"]) == ("could_not_contact", "carrier")
    for message in messages:
        assert message.subject == f"qn.v1.intake.referral.status_changed.{DEBT}"
        assert message.body["target_id"] == DEBT and message.body["quarter_id"] == "innenstadt-sued"
        assert message.headers["ce-dataclassification"] == "internal"
        assert "Herr K." not in str(message.body) and "0340" not in str(message.body)
        assert "note" not in message.body and "sachbearbeitung" not in str(message.body)


def test_only_carriers_and_team_staff_reach_referrals_and_a_bad_note_is_named(loop: Loop) -> None:
    referral_id = loop.refer(DEBT)
    assert loop.client.get("/referrals").status_code == 401
    committee = loop.client.get(f"/referrals/{referral_id}", headers=loop.intake.tokens.headers("committee"))
    assert committee.status_code == 403 and "carrier" in committee.json()["required_roles"]
    bad = loop.status(referral_id, loop.carrier(), "accepted", note="nul \x00 byte")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "note"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", "/referrals?status=done", None, "status.0"),
        ("get", "/referrals?page_size=500", None, "page_size"),
        ("get", "/referrals?overdue=maybe", None, "overdue"),
        ("get", "/referrals/not-a-uuid", None, "referral_id"),
        ("post", "/referrals/{id}/status", {"to_status": "done"}, "to_status"),
        ("post", "/referrals/{id}/status", {"to_status": "rejected", "reason": "bored"}, "reason"),
        (
            "post",
            "/referrals/{id}/status",
            {"to_status": "rejected", "reason": "no_capacity", "decided_by": "x"},
            "decided_by",
        ),
        ("post", "/referrals/{id}/status", {"to_status": "accepted", "extra": 1}, "extra"),
        ("post", "/referrals/{id}/status", {"to_status": "rejected", "reason": "got_help"}, "reason"),
        ("post", "/referrals/{id}/status", {"to_status": "accepted", "decided_by": "carrier"}, "decided_by"),
    ],
)
def test_bad_input_to_the_referral_api_is_named_by_field_never_a_500(
    loop: Loop, method: str, path: str, body: dict[str, object] | None, field: str
) -> None:
    referral_id = loop.refer(DEBT)
    answer = loop.client.request(method.upper(), path.format(id=referral_id), json=body, headers=loop.carrier())
    assert answer.status_code == 422, answer.text
    assert field in [e["field"] for e in answer.json()["errors"]]


def test_an_unknown_referral_is_404_for_everyone(loop: Loop) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert loop.client.get(f"/referrals/{missing}", headers=loop.carrier()).status_code == 404
    assert loop.status(missing, loop.team(), "accepted").status_code == 404
    assert loop.client.get(f"/referrals/{missing}/contact", headers=loop.team()).status_code == 404
