"""Erasure, and the promise that personal data never leaves intake on the broker."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from qn_intake.concerns.models import Concern
from qn_intake.consent.models import Consent
from qn_intake.persons.models import Person

pytestmark = pytest.mark.integration

ERASED = "qn.intake.person.erased.v1"


def test_erasure_blanks_the_data_emits_person_erased_with_only_the_reference_and_nobody_can_read_it(world) -> None:
    person = world.add_person()
    world.give_consent(person["id"], "follow_up_contact", note="Tochter Maria (0171 222) informiert")
    concern = world.add_concern(
        person["id"],
        ["einsamkeit"],
        note="Frau S. lebt allein, Tel. 0340 7654321",
        address={"street": "Franzstraße", "house_number": "147"},
    )

    erased = world.client.delete(f"/persons/{person['id']}", headers=world.coordinator())
    assert erased.status_code == 200, erased.text
    assert erased.json()["person_ref"] == person["person_ref"] and erased.json()["erased_at"]

    event = world.events(ERASED, expect=1, person_ref=person["person_ref"])[0]
    assert event == {"person_ref": person["person_ref"]}
    gone = world.client.get(f"/persons/{person['id']}", headers={**world.staff(), "Accept-Language": "en"})
    assert gone.status_code == 404 and gone.json()["code"] == "person_erased"
    assert world.client.get("/persons", params={"name": "hildegard"}, headers=world.staff()).json()["results"] == []
    assert world.client.patch(f"/persons/{person['id']}", json={"phone": "1"}, headers=world.staff()).status_code == 404
    assert world.client.delete(f"/persons/{person['id']}", headers=world.coordinator()).status_code == 404

    with world.runtime.sessions() as session:
        row = session.get(Person, uuid.UUID(person["id"]))
        assert row is not None and row.id and row.person_ref  # the ids stay
        assert all(
            getattr(row, f) is None
            for f in (
                "given_name",
                "family_name",
                "birth_year",
                "phone",
                "email",
                "street",
                "house_number",
                "postcode",
                "name_key",
                "street_key",
            )
        )
        consent = session.scalars(select(Consent).where(Consent.person_id == row.id)).one()
        assert consent.note is None and consent.withdrawn_at is not None
        stored = session.get(Concern, uuid.UUID(concern["id"]))
        assert stored is not None and (stored.street, stored.note) == (None, None)
        assert stored.quarter_id == "innenstadt-sued"  # the statistics keep their meaning

    # the audit log keeps every read, and the erasure itself
    entries = world.audit(subject_id=person["id"])
    assert entries[-1]["action"] == "erase" and entries[-1]["actor"] == "carla.coordinator"


def test_no_event_on_the_intake_stream_ever_contains_the_name_phone_email_or_street(world) -> None:
    person = world.add_person(address={"street": "Kühnauer Str.", "house_number": "9"})
    world.add_person()  # a duplicate suggestion on the way
    help_consent = world.give_consent(person["id"], "neighbourly_help", note="Hildegard selbst, schriftlich")
    referral_consent = world.give_consent(person["id"], "referral", carrier_id="caritas-dessau")
    note = "Hildegard Schröder-Weiß, Kühnauer Straße"
    concern = world.add_concern(person["id"], ["einsamkeit", "schulden"], note=note)
    world.client.patch(f"/persons/{person['id']}", json={"email": "neu.hildegard@example.org"}, headers=world.staff())
    world.client.post(f"/consents/{help_consent['id']}/withdraw", headers=world.staff())
    world.client.post(f"/consents/{referral_consent['id']}/withdraw", headers=world.staff())
    world.client.delete(f"/persons/{person['id']}", headers=world.coordinator())
    world.events(ERASED, expect=1, person_ref=person["person_ref"])
    world.events("qn.intake.help.requested.v1", expect=1, concern_id=concern["id"])

    messages = world.messages()
    assert len(messages) >= 6
    secrets = [
        "Hildegard",
        "Schröder",
        "Schroeder",
        "Weiß",
        "7654321",
        "hildegard.sw@example.org",
        "neu.hildegard",
        "Kühnauer",
        "Kuehnauer",
        "Franzstraße",
    ]
    for message in messages:
        raw = json.dumps(message.body, ensure_ascii=False) if isinstance(message.body, dict) else message.body.decode()
        text = raw + json.dumps(message.headers, ensure_ascii=False)
        for secret in secrets:
            assert secret.lower() not in text.lower(), (message.subject, secret)
