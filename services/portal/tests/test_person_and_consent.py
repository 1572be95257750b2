"""Staff find a person within their team or add them (with intake's duplicate suggestion), record
the concern for them and capture the person's consent with its purpose and expiry; a referral
that waited for consent leaves intake once it is given."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.integration


def family_name() -> str:
    # the portal's tests share one intake: every test gets a family name of its own
    return "Mohnhaupt-" + uuid.uuid4().hex[:8]


def add_person(client, kit, **fields):
    page = client.get("/personen")
    data = {"csrf_token": kit.csrf_of(page.text), "given_name": "Erna", "birth_year": "1941", **fields}
    return client.post("/personen", data=data)


def test_a_new_person_is_added_and_the_concern_form_is_for_them(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    name = family_name()
    assert "Niemand gefunden." in staff.get("/personen", params={"name": name}).text
    form = add_person(staff, kit, family_name=name, street="Franzstr.", house_number="147")
    assert form.url.path == "/anliegen/neu"
    assert f"Das Anliegen betrifft: Erna {name} (1941)" in form.text
    assert 'value="Franzstraße"' in form.text or 'value="Franzstr."' in form.text
    assert "Einwilligung der Person" in form.text

    found = staff.get("/personen", params={"name": name, "geburtsjahr": "1941"})
    assert f"Erna {name}" in found.text and "Für diese Person erfassen" in found.text


def test_intake_suggests_the_duplicate_when_the_same_person_is_added_again(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    name = family_name()
    first = add_person(staff, kit, family_name=name, street="Franzstr.", house_number="147")
    first_id = re.search(r'name="person_id" value="([^"]+)"', first.text).group(1)
    again = add_person(staff, kit, family_name=name, street="Franzstr.", house_number="147")
    assert "Es gibt schon Personen mit gleichem Namen" in again.text
    assert f'data-person-id="{first_id}"' in again.text


def test_a_person_needs_something_to_recognise_them_by(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    refused = add_person(staff, kit, given_name="", birth_year="")
    assert refused.status_code == 422
    assert '<a href="#family_name">Geben Sie den Nachnamen, den Vornamen oder die Telefonnummer an.</a>' in refused.text


def test_consent_to_referral_releases_the_referral_to_the_carrier(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    form = add_person(staff, kit, family_name=family_name(), street="Franzstr.", house_number="147")
    person_id = re.search(r'name="person_id" value="([^"]+)"', form.text).group(1)
    without = kit.record_concern(staff, person_id=person_id, topics=["schulden"])
    assert 'data-referral-status="awaiting_consent"' in without.text

    form = staff.get("/anliegen/neu", params={"person_id": person_id})
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text).group(1)
    data = {
        "csrf_token": kit.csrf_of(form.text),
        "idempotency_key": key,
        "person_id": person_id,
        "street": "Franzstr.",
        "house_number": "147",
        "topics": ["sucht"],
        "urgency": "soon",
        "channel": "walk_in",
        "consents": ["referral", "follow_up_contact"],
        "given_by": "person",
        "consent_form": "written",
        "expires": "2099-12-31",
    }
    answer = staff.post("/anliegen", data=data)
    assert "Einwilligungen erfasst: 2" in answer.text
    assert 'data-referral-status="requested"' in answer.text

    resent = staff.post("/anliegen", data=data)
    assert resent.url.path == answer.url.path and "Einwilligungen erfasst" not in resent.text


def test_an_expiry_in_the_past_is_refused_next_to_its_field(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    form = add_person(staff, kit, family_name=family_name(), street="Franzstr.", house_number="147")
    person_id = re.search(r'name="person_id" value="([^"]+)"', form.text).group(1)
    refused = kit.record_concern(staff, person_id=person_id, consents=["follow_up_contact"], expires="2001-01-01")
    assert refused.status_code == 422
    assert '<a href="#expires">Geben Sie ein Datum in der Zukunft an.</a>' in refused.text
    assert "Das Anliegen betrifft: Erna" in refused.text
