"""Contact details reach a carrier only where the person's consent covers that carrier, and every
read of them is in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qn_testkit.waiting import eventually

from .conftest import ADDICTION, DEBT, PERSON, Loop

pytestmark = pytest.mark.integration


def test_a_referral_waits_for_consent_and_then_the_carrier_reads_the_contact_and_each_read_is_audited(
    loop: Loop,
) -> None:
    person_id = loop.add_person()
    referral_id = loop.refer(DEBT, person_id=person_id)

    # nothing has left intake: the carrier neither sees the referral nor the person
    assert loop.client.get(f"/referrals/{referral_id}", headers=loop.carrier()).status_code == 403
    assert loop.client.get("/referrals", headers=loop.carrier()).json()["items"] == []
    held = loop.client.get(f"/referrals/{referral_id}", headers=loop.team()).json()
    assert (held["status"], held["released_at"], held["legal_basis"]) == ("awaiting_consent", None, None)
    assert not [m for m in loop.events("referral.requested.v1") if m.body["referral_id"] == referral_id]
    assert loop.audit_entries(person_id) == []

    consent = loop.give_referral_consent(person_id, DEBT)
    assert consent["released_referrals"] == [referral_id]
    first = loop.client.get(f"/referrals/{referral_id}/contact", headers=loop.carrier())
    second = loop.client.get(f"/referrals/{referral_id}/contact", headers=loop.carrier())
    assert first.status_code == second.status_code == 200, first.text
    assert (first.json()["family_name"], first.json()["phone"]) == (PERSON["family_name"], PERSON["phone"])
    assert first.json()["street"] == "Franzstraße" and first.json()["preferred_channel"] == "phone"
    seen = loop.client.get(f"/referrals/{referral_id}", headers=loop.carrier()).json()
    assert (seen["status"], seen["legal_basis"]["code"]) == ("requested", "consent")
    assert seen["legal_basis"]["de"] == "Einwilligung der Person"

    announced = eventually(
        lambda: [m for m in loop.events("referral.requested.v1") if m.body["referral_id"] == referral_id],
        what="the referral on QN_INTAKE",
    )
    assert announced[0].body["legal_basis"] == "consent"
    entries = [e for e in loop.audit_entries(person_id) if e.purpose == "referral"]
    assert len(entries) == 2
    assert {(e.actor, e.actor_org, e.subject_type, e.action) for e in entries} == {
        (f"sachbearbeitung@{DEBT}", DEBT, "person", "read")
    }
    assert {"family_name", "phone", "email", "street"} <= set(entries[0].fields)


def test_when_the_consent_has_expired_the_carrier_gets_no_contact(loop: Loop) -> None:
    person_id = loop.add_person()
    until = loop.intake.clock.now() + timedelta(days=30)
    loop.give_referral_consent(person_id, DEBT, expires_at=until.isoformat())
    referral_id = loop.refer(DEBT, person_id=person_id)
    assert loop.client.get(f"/referrals/{referral_id}/contact", headers=loop.carrier()).status_code == 200

    loop.intake.clock.advance(days=31)
    refused = loop.client.get(f"/referrals/{referral_id}/contact", headers=loop.carrier())
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "consent_missing"
    assert "Einwilligung fehlt" in refused.json()["detail"] and DEBT in refused.json()["detail"]


def test_a_consent_for_one_carrier_does_not_release_a_referral_to_another(loop: Loop) -> None:
    person_id = loop.add_person()
    loop.give_referral_consent(person_id, DEBT)
    addiction = loop.refer(ADDICTION, topics=["sucht"], person_id=person_id)

    assert loop.client.get(f"/referrals/{addiction}", headers=loop.team()).json()["status"] == "awaiting_consent"
    refused = loop.client.get(f"/referrals/{addiction}/contact", headers=loop.carrier(ADDICTION))
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_referral")
    queue = loop.client.get("/queue", params={"kind": "referral"}, headers=loop.team()).json()["items"]
    assert [(i["id"], i["status"]) for i in queue] == [(addiction, "awaiting_consent")]


def test_an_anonymous_concern_has_no_contact_to_give(loop: Loop) -> None:
    referral_id = loop.refer(DEBT)
    english = {**loop.carrier(), "Accept-Language": "en"}
    answer = loop.client.get(f"/referrals/{referral_id}/contact", headers=english)
    assert answer.status_code == 404
    assert answer.json()["code"] == "referral_without_contact"
    assert answer.json()["detail"] == "The concern is anonymous: no person with contact details is recorded."


def test_team_staff_read_the_contact_for_case_work_and_that_read_is_audited_too(loop: Loop) -> None:
    person_id = loop.add_person()
    referral_id = loop.refer(DEBT, person_id=person_id)
    answer = loop.client.get(f"/referrals/{referral_id}/contact", headers=loop.team())
    assert answer.status_code == 200 and answer.json()["given_name"] == PERSON["given_name"]
    entries = loop.audit_entries(person_id)
    reads = [e for e in entries if e.purpose == "case_work" and e.actor == "staff@team-innenstadt"]
    assert len(reads) == 1


def test_a_carrier_gets_no_contact_once_its_referral_is_closed(loop: Loop) -> None:
    person_id = loop.add_person()
    loop.give_referral_consent(person_id, DEBT)
    referral_id = loop.refer(DEBT, person_id=person_id)
    loop.status(referral_id, loop.carrier(), "rejected", reason="out_of_area")
    answer = loop.client.get(f"/referrals/{referral_id}/contact", headers=loop.carrier())
    assert answer.status_code == 403 and answer.json()["code"] == "referral_closed"


def test_withdrawing_the_referral_consent_cancels_the_open_referral_as_the_residents_decision(loop: Loop) -> None:
    person_id = loop.add_person()
    consent = loop.give_referral_consent(person_id, DEBT)
    to_debt = loop.refer(DEBT, person_id=person_id)
    to_addiction = loop.refer(ADDICTION, topics=["sucht"], person_id=person_id)
    loop.status(to_debt, loop.carrier(), "accepted")

    withdrawn = loop.client.post(f"/consents/{consent['id']}/withdraw", headers=loop.team())
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["cancelled_referrals"] == 1

    seen = loop.client.get(f"/referrals/{to_debt}", headers=loop.carrier()).json()
    assert (seen["status"], seen["reason"], seen["decided_by"]) == ("cancelled", "resident_declined", "resident")
    untouched = loop.client.get(f"/referrals/{to_addiction}", headers=loop.team()).json()
    assert untouched["status"] == "awaiting_consent"  # it never went: no consent named the Diakonie
    assert loop.client.get(f"/referrals/{to_debt}/contact", headers=loop.carrier()).status_code == 403

    def cancelled() -> list:  # type: ignore[type-arg]
        return [
            m
            for m in loop.events("referral.status_changed.v1")
            if m.body["referral_id"] == to_debt and m.body["to_status"] == "cancelled"
        ]

    event = eventually(cancelled, what="the cancellation on QN_INTAKE")[0]
    assert (event.body["reason"], event.body["decided_by"]) == ("resident_declined", "resident")
