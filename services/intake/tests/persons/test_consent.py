"""Consent as records: for what, by whom, how and until when -- and what its withdrawal stops."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from qn_contracts.vocabulary import ConsentPurpose
from qn_intake.access import Viewer
from qn_intake.consent import handlers
from qn_intake.consent.domain import ConsentMissing, GiveConsent
from qn_intake.consent.queries import active_consent, require_consent

pytestmark = pytest.mark.integration

WITHDRAWN = "qn.intake.consent.withdrawn.v1"


def test_a_consent_is_recorded_with_who_gave_it_how_and_until_when(world) -> None:
    person = world.add_person()
    until = (world.intake.clock.now() + timedelta(days=365)).isoformat()
    consent = world.give_consent(
        person["id"],
        "referral",
        carrier_id="caritas-dessau",
        given_by="legal_representative",
        form="verbal",
        expires_at=until,
        note="Betreuerin am Telefon",
    )
    assert (consent["purpose"], consent["carrier_id"], consent["given_by"], consent["form"]) == (
        "referral",
        "caritas-dessau",
        "legal_representative",
        "verbal",
    )
    assert consent["active"] is True and consent["recorded_by"] == "anna.staff"
    listed = world.client.get(f"/persons/{person['id']}/consents", headers=world.staff()).json()
    assert [c["id"] for c in listed] == [consent["id"]]


@pytest.mark.parametrize(
    ("body", "field", "german", "english"),
    [
        ({"purpose": "referral"}, "carrier_id", "Träger", "carrier"),
        ({"purpose": "referral", "carrier_id": "unbekannt-ev"}, "carrier_id", "nicht bekannt", "not known"),
        ({"purpose": "neighbourly_help", "carrier_id": "awo-dessau"}, "carrier_id", "nur", "only"),
        ({"purpose": "newsletter"}, "purpose", "erlaubt", "referral"),
        ({"purpose": "follow_up_contact", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at", "Vergangenheit", "past"),
        ({"purpose": "follow_up_contact", "given_at": "2030-01-01T00:00:00Z"}, "given_at", "Zukunft", "future"),
        ({"purpose": "follow_up_contact", "given_at": "2024-01-01T10:00:00"}, "given_at", "Zeitzone", "timezone"),
        ({"purpose": "follow_up_contact", "given_by": "neighbour"}, "given_by", "erlaubt", "person"),
    ],
)
def test_a_bad_consent_gets_422_naming_the_field_in_german_and_english(world, body, field, german, english) -> None:
    person = world.add_person()
    for language, word in (("de", german), ("en", english)):
        response = world.client.post(
            f"/persons/{person['id']}/consents",
            json={"given_by": "person", "form": "written", **body},
            headers={**world.staff(), "Accept-Language": language},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
        assert word in response.json()["errors"][0]["message"], (language, response.json())


def test_expired_consent_counts_as_missing(world) -> None:
    person = world.add_person()
    person_id = uuid.UUID(person["id"])
    now = world.intake.clock.now()
    two_years_ago = now - timedelta(days=730)
    given = GiveConsent(
        purpose=ConsentPurpose.FOLLOW_UP_CONTACT,
        given_by="person",
        form="written",
        expires_at=two_years_ago + timedelta(days=365),
    )
    context = world.client.app.state.intake
    staff = Viewer("anna.staff", city_wide=False, team="team-innenstadt", kuemmerer=False, carrier=None)
    handlers.record_consent(
        world.runtime.unit_of_work(),
        person_id,
        given,
        viewer=staff,
        city=context.city,
        bus=context.bus,
        now=two_years_ago,
    )

    with world.runtime.sessions() as session:
        back_then = two_years_ago + timedelta(days=1)
        assert active_consent(session, person_id, "follow_up_contact", now=back_then) is not None
        assert active_consent(session, person_id, "follow_up_contact", now=now) is None
        with pytest.raises(ConsentMissing) as refused:
            require_consent(session, person_id, "follow_up_contact", now=now)
    assert refused.value.code == "consent_missing"
    assert "Nachfassen" in refused.value.de and "abgelaufen" in refused.value.de
    assert "follow-up contact" in refused.value.en and "expired" in refused.value.en
    listed = world.client.get(f"/persons/{person['id']}/consents", headers=world.staff()).json()
    assert [c["active"] for c in listed] == [False]


def test_a_referral_consent_covers_only_the_carrier_it_names(world) -> None:
    person = world.add_person()
    world.give_consent(person["id"], "referral", carrier_id="caritas-dessau")
    now = world.intake.clock.now()
    with world.runtime.sessions() as session:
        assert require_consent(session, uuid.UUID(person["id"]), "referral", carrier_id="caritas-dessau", now=now)
        with pytest.raises(ConsentMissing) as refused:
            require_consent(session, uuid.UUID(person["id"]), "referral", carrier_id="awo-dessau", now=now)
    assert "awo-dessau" in refused.value.de and "awo-dessau" in refused.value.en


def test_withdrawing_a_referral_consent_cancels_open_referrals_to_that_carrier(world) -> None:
    person = world.add_person()
    consent = world.give_consent(person["id"], "referral", carrier_id="caritas-dessau")
    concern = world.add_concern(person["id"], ["schulden", "sucht"])  # caritas-dessau and diakonie-dessau
    withdrawn = world.client.post(f"/consents/{consent['id']}/withdraw", headers=world.staff())
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["cancelled_referrals"] == 1

    event = world.events(WITHDRAWN, expect=1, person_ref=person["person_ref"])[0]
    assert (event["purpose"], event["carrier_id"]) == ("referral", "caritas-dessau")
    referrals = world.client.get(f"/concerns/{concern['id']}", headers=world.staff()).json()["referrals"]
    statuses = {r["target_id"]: r["status"] for r in referrals}
    # the referral to the Diakonie never left intake: no consent names it
    assert statuses == {"caritas-dessau": "cancelled", "diakonie-dessau": "awaiting_consent"}


def test_withdrawing_twice_is_a_conflict_and_an_unknown_consent_is_404(world) -> None:
    person = world.add_person()
    consent = world.give_consent(person["id"], "follow_up_contact")
    assert world.client.post(f"/consents/{consent['id']}/withdraw", headers=world.staff()).status_code == 200
    again = world.client.post(f"/consents/{consent['id']}/withdraw", headers={**world.staff(), "Accept-Language": "en"})
    assert again.status_code == 409 and "already withdrawn" in again.json()["detail"]
    assert world.client.post(f"/consents/{uuid.uuid4()}/withdraw", headers=world.staff()).status_code == 404
    assert world.events(WITHDRAWN, expect=1, person_ref=person["person_ref"])


def test_a_second_active_consent_keeps_the_processing_going(world) -> None:
    person = world.add_person()
    by_person = world.give_consent(person["id"], "neighbourly_help")
    world.give_consent(person["id"], "neighbourly_help", given_by="legal_representative")
    world.add_concern(person["id"], ["einsamkeit"])

    withdrawn = world.client.post(f"/consents/{by_person['id']}/withdraw", headers=world.staff()).json()
    assert withdrawn["still_covered_by"] is not None and withdrawn["cancelled_help_requests"] == []
    world.events("qn.intake.help.requested.v1", expect=1, person_ref=person["person_ref"])
    assert world.no_events(WITHDRAWN, person_ref=person["person_ref"])


def test_only_staff_record_and_withdraw_consent(world) -> None:
    person = world.add_person()
    body = {"purpose": "neighbourly_help", "given_by": "person", "form": "written"}
    assert world.client.post(f"/persons/{person['id']}/consents", json=body).status_code == 401
    volunteer = world.as_role("volunteer", subject="v-1")
    assert world.client.post(f"/persons/{person['id']}/consents", json=body, headers=volunteer).status_code == 403
    consent = world.give_consent(person["id"], "neighbourly_help")
    carrier = world.as_role("carrier", org="awo-dessau")
    assert world.client.post(f"/consents/{consent['id']}/withdraw", headers=carrier).status_code == 403
    assert world.client.get(f"/persons/{person['id']}/consents", headers=carrier).status_code == 403
