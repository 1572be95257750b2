"""A carrier finds the referrals addressed to it, accepts one or declines it with a reason; the
team sees the answer on the concern. Closing the loop, in the browser's words."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration


def test_the_carrier_accepts_and_the_team_sees_the_loop_closed(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    concern = kit.record_concern(staff, topics=["schulden"])
    referral = re.search(r'data-referral-id="([0-9a-f-]{36})"', concern.text).group(1)

    carrier = signed_in(kit.CARITAS)
    inbox = carrier.get("/vermittlungen")
    assert f'href="/vermittlungen/{referral}"' in inbox.text
    page = carrier.get(f"/vermittlungen/{referral}")
    assert "angefragt" in page.text and "Innerstädtischer Bereich Süd" in page.text
    answered = carrier.post(
        f"/vermittlungen/{referral}/status", data={"csrf_token": kit.csrf_of(page.text), "to_status": "accepted"}
    )
    assert "Ihre Antwort ist gespeichert." in answered.text
    assert 'data-referral-status="accepted"' in answered.text

    again = staff.get(concern.url.path)
    assert 'data-referral-status="accepted"' in again.text and "angenommen" in again.text


def test_declining_needs_a_reason_and_then_the_team_sees_it(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    concern = kit.record_concern(staff, topics=["schulden"])
    referral = re.search(r'data-referral-id="([0-9a-f-]{36})"', concern.text).group(1)
    carrier = signed_in(kit.CARITAS)
    page = carrier.get(f"/vermittlungen/{referral}")

    refused = carrier.post(
        f"/vermittlungen/{referral}/status", data={"csrf_token": kit.csrf_of(page.text), "to_status": "rejected"}
    )
    assert refused.status_code == 422
    assert '<a href="#reason">Wählen Sie einen Grund für die Ablehnung.</a>' in refused.text

    declined = carrier.post(
        f"/vermittlungen/{referral}/status",
        data={"csrf_token": kit.csrf_of(page.text), "to_status": "rejected", "reason": "no_capacity"},
    )
    assert 'data-referral-status="rejected"' in declined.text
    seen = staff.get(concern.url.path)
    assert "abgelehnt (Keine Kapazität)" in seen.text
    timeline = re.search(rf'<ol class="timeline" data-timeline="{referral}">.*?</ol>', seen.text, re.S).group(0)
    assert "angefragt" in timeline and "abgelehnt (Keine Kapazität) – caritas-dessau" in timeline


def test_a_transition_intake_does_not_allow_is_explained_next_to_the_form(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    concern = kit.record_concern(staff, topics=["schulden"])
    referral = re.search(r'data-referral-id="([0-9a-f-]{36})"', concern.text).group(1)
    carrier = signed_in(kit.CARITAS)
    page = carrier.get(f"/vermittlungen/{referral}")
    csrf = kit.csrf_of(page.text)
    carrier.post(f"/vermittlungen/{referral}/status", data={"csrf_token": csrf, "to_status": "accepted"})
    # the decline form of a page opened before the referral was accepted (another tab)
    stale = carrier.post(
        f"/vermittlungen/{referral}/status", data={"csrf_token": csrf, "to_status": "rejected", "reason": "no_capacity"}
    )
    assert stale.status_code == 409 and 'class="error-summary"' in stale.text
    assert '<a href="#status">' in stale.text and "Traceback" not in stale.text


def test_another_carrier_cannot_open_the_referral(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    concern = kit.record_concern(staff, topics=["schulden"])
    referral = re.search(r'data-referral-id="([0-9a-f-]{36})"', concern.text).group(1)
    other = signed_in(kit.DIAKONIE).get(f"/vermittlungen/{referral}")
    assert other.status_code == 403 and "Kein Zugriff" in other.text


def test_the_carrier_moves_an_accepted_referral_on_to_completed(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    concern = kit.record_concern(staff, topics=["schulden"])
    referral = re.search(r'data-referral-id="([0-9a-f-]{36})"', concern.text).group(1)
    carrier = signed_in(kit.CARITAS)
    page = carrier.get(f"/vermittlungen/{referral}")
    csrf = kit.csrf_of(page.text)
    accepted = carrier.post(f"/vermittlungen/{referral}/status", data={"csrf_token": csrf, "to_status": "accepted"})
    assert '<option value="in_progress">in Arbeit</option>' in accepted.text
    carrier.post(f"/vermittlungen/{referral}/status", data={"csrf_token": csrf, "to_status": "in_progress"})
    failed_without_reason = carrier.post(
        f"/vermittlungen/{referral}/status", data={"csrf_token": csrf, "to_status": "failed"}
    )
    assert failed_without_reason.status_code == 422
    done = carrier.post(f"/vermittlungen/{referral}/status", data={"csrf_token": csrf, "to_status": "completed"})
    assert 'data-referral-status="completed"' in done.text
    assert "abgeschlossen" in staff.get(concern.url.path).text


def test_contact_details_only_under_consent_naming_the_carrier(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    page = staff.get("/personen")
    form = staff.post(
        "/personen",
        data={
            "csrf_token": kit.csrf_of(page.text),
            "family_name": "Kontaktprobe",
            "given_name": "Ole",
            "phone": "0340 998877",
        },
    )
    person_id = re.search(r'name="person_id" value="([^"]+)"', form.text).group(1)
    concern = kit.record_concern(
        staff,
        person_id=person_id,
        topics=["schulden"],
        consents=["referral"],
        given_by="person",
        consent_form="written",
    )
    referral = re.search(r'data-referral-id="([0-9a-f-]{36})"', concern.text).group(1)
    carrier = signed_in(kit.CARITAS)
    contact = carrier.get(f"/vermittlungen/{referral}/kontakt")
    assert contact.status_code == 200 and "0340 998877" in contact.text and "protokolliert" in contact.text
    assert signed_in(kit.DIAKONIE).get(f"/vermittlungen/{referral}/kontakt").status_code == 403
