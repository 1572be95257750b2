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
