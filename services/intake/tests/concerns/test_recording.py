"""Recording a concern over HTTP, as a neighbourhood team does it."""

from __future__ import annotations

import pytest

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration


def concern(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "channel": "walk_in",
        "topics": ["einsamkeit"],
        "urgency": "soon",
        "address": {"street": "Franzstraße", "house_number": "147", "postcode": "06842"},
    }
    body.update(overrides)
    return body


def test_a_recorded_concern_is_read_back_with_its_quarter(intake) -> None:
    created = intake.client.post("/concerns", json=concern(), headers=intake.staff())
    assert created.status_code == 201, created.text
    read = intake.client.get(created.headers["Location"], headers=intake.staff())
    assert read.status_code == 200
    assert read.json()["quarter_id"] == "innenstadt-sued"
    assert read.json()["team_id"] == "team-innenstadt"
    assert read.json()["recorded_at"].endswith(("+00:00", "Z"))


def test_an_abbreviated_street_resolves_like_the_full_name(intake) -> None:
    created = intake.client.post(
        "/concerns", json=concern(address={"street": "franzstr.", "house_number": "147"}), headers=intake.staff()
    )
    assert created.status_code == 201, created.text
    assert created.json()["quarter_id"] == "innenstadt-sued"
    assert created.json()["street"] == "Franzstraße"


def test_children_and_families_are_routed_to_the_youth_office(intake) -> None:
    created = intake.client.post("/concerns", json=concern(topics=["kinder_jugend_familie"]), headers=intake.staff())
    assert created.status_code == 201, created.text
    targets = {(r["target_kind"], r["target_id"]) for r in created.json()["referrals"]}
    assert targets == {("office", "jugendamt-asd")}


def test_anyone_under_18_goes_to_the_youth_office_whatever_the_topic(intake) -> None:
    created = intake.client.post(
        "/concerns", json=concern(topics=["schulden"], age_band="under_18"), headers=intake.staff()
    )
    assert created.status_code == 201, created.text
    assert [r["target_id"] for r in created.json()["referrals"]] == ["jugendamt-asd"]


def test_loneliness_becomes_a_request_for_neighbourly_help(intake) -> None:
    created = intake.client.post("/concerns", json=concern(topics=["einsamkeit"]), headers=intake.staff())
    assert [h["help_kind"] for h in created.json()["help_requests"]] == ["company"]
    assert created.json()["referrals"] == []


def test_recording_publishes_events_without_personal_data(intake) -> None:
    person = intake.client.post(
        "/persons",
        json={"given_name": "Marianne", "family_name": "Mohnhaupt", "phone": "0340 123456", "birth_year": 1944},
        headers=intake.staff(),
    ).json()
    for consent in ({"purpose": "neighbourly_help"}, {"purpose": "referral", "carrier_id": "caritas-dessau"}):
        given = intake.client.post(
            f"/persons/{person['id']}/consents",
            json={**consent, "given_by": "person", "form": "written"},
            headers=intake.staff(),
        )
        assert given.status_code == 201, given.text
    body = concern(
        topics=["schulden", "einsamkeit"], person_id=person["id"], note="Frau M. wirkt sehr einsam, Tel. 0340 123456"
    )
    created = intake.client.post("/concerns", json=body, headers=intake.staff())
    assert created.status_code == 201, created.text
    concern_id = created.json()["id"]

    def published() -> list:
        messages = [m for m in read_stream(intake.nats_url, "QN_INTAKE") if m.body.get("concern_id") == concern_id]
        return messages if len(messages) == 3 else []

    messages = eventually(published, what="three events for the concern")
    types = sorted(m.headers["ce-type"] for m in messages)
    assert types == [
        "qn.intake.concern.recorded.v1",
        "qn.intake.help.requested.v1",
        "qn.intake.referral.requested.v1",
    ]
    for message in messages:
        assert message.headers["Nats-Msg-Id"] == message.headers["ce-id"]
        assert message.headers["ce-correlationid"] == created.headers["x-correlation-id"]
        serialized = str(message.body) + str(message.headers)
        for personal in ("Frau M.", "0340", "Franzstra", "Marianne", "Mohnhaupt", "1944"):
            assert personal not in serialized
        assert message.body.get("person_ref") == person["person_ref"]


def test_an_unknown_street_gets_422_with_the_closest_candidates(intake) -> None:
    response = intake.client.post(
        "/concerns", json=concern(address={"street": "Fransstrasse", "house_number": "147"}), headers=intake.staff()
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "address.street"
    assert problem["candidates"][0]["street"] == "Franzstraße"


def test_a_street_in_two_quarters_without_a_house_number_is_not_guessed(intake) -> None:
    response = intake.client.post(
        "/concerns", json=concern(address={"street": "Askanische Str."}), headers=intake.staff()
    )
    assert response.status_code == 422
    assert {c["quarter_id"] for c in response.json()["candidates"]} == {"innenstadt-mitte", "innenstadt-sued"}


def test_invalid_fields_are_named_in_german_by_default_and_english_on_request(intake) -> None:
    bad = concern(channel="carrier pigeon", urgency="whenever")
    german = intake.client.post("/concerns", json=bad, headers=intake.staff())
    english = intake.client.post("/concerns", json=bad, headers={**intake.staff(), "Accept-Language": "en-GB,en;q=0.9"})
    assert german.status_code == english.status_code == 422
    assert {e["field"] for e in german.json()["errors"]} == {"channel", "urgency"}
    assert german.json()["title"] == "Ungültige Eingabe"
    assert english.json()["title"] == "Invalid input"


def test_an_unknown_topic_is_refused_naming_its_position(intake) -> None:
    response = intake.client.post(
        "/concerns", json=concern(topics=["einsamkeit", "astrologie"]), headers=intake.staff()
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "topics.1"


def test_without_a_token_the_api_answers_401_and_with_the_wrong_role_403(intake) -> None:
    anonymous = intake.client.post("/concerns", json=concern())
    committee = intake.client.post("/concerns", json=concern(), headers=intake.tokens.headers("committee"))
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert committee.status_code == 403
    assert "team_staff" in committee.json()["required_roles"]


def test_health_readiness_and_metrics_need_no_token(intake) -> None:
    assert intake.client.get("/healthz").status_code == 200
    ready = eventually(lambda: intake.client.get("/readyz").status_code == 200, what="readiness")
    assert ready
    metrics = intake.client.get("/metrics")
    assert metrics.status_code == 200 and "qn_http_requests_total" in metrics.text


def test_coordinates_resolve_to_the_quarter_whose_outline_contains_them(intake) -> None:
    # the Rathaus, Zerbster Straße: inside the demo outline of Innerstädtischer Bereich Mitte
    created = intake.client.post(
        "/concerns", json=concern(address=None, location={"lat": 51.8350, "lon": 12.2440}), headers=intake.staff()
    )
    assert created.status_code == 201, created.text
    assert created.json()["quarter_id"] == "innenstadt-mitte"


def test_coordinates_outside_every_quarter_get_422_with_the_nearest_quarters(intake) -> None:
    response = intake.client.post(
        "/concerns", json=concern(address=None, location={"lat": 51.05, "lon": 13.74}), headers=intake.staff()
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("location")
    assert response.json()["candidates"]


def test_a_help_kind_for_topics_without_neighbourly_help_is_refused_not_dropped(intake) -> None:
    response = intake.client.post(
        "/concerns", json=concern(topics=["schulden"], help_kind="shopping"), headers=intake.staff()
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "help_kind"
    accepted = intake.client.post(
        "/concerns", json=concern(topics=["nachbarschaftshilfe"], help_kind="escort"), headers=intake.staff()
    )
    assert [h["help_kind"] for h in accepted.json()["help_requests"]] == ["escort"]
