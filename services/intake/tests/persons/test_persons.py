"""Recording, finding and correcting a person, as staff at the front desk do it."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration


def test_a_person_gets_a_random_reference_and_the_quarter_of_their_address(world) -> None:
    first = world.add_person(address={"street": "franzstr", "house_number": "147"})
    second = world.add_person(address={"street": "franzstr", "house_number": "147"})

    assert first["quarter_id"] == "innenstadt-sued"
    assert first["street"] == "Franzstraße" and first["postcode"] == "06842"
    # the same data twice gives two unrelated references: nothing is derived from the person
    assert first["person_ref"] != second["person_ref"]
    assert uuid.UUID(first["person_ref"]).version == 4
    read = world.client.get(f"/persons/{first['id']}", headers=world.staff())
    assert read.status_code == 200
    assert (read.json()["family_name"], read.json()["phone"]) == ("Schröder-Weiß", "0340 7654321")


def test_possible_duplicates_are_suggested_and_not_merged(world) -> None:
    first = world.add_person()
    # typed differently: case, ß/ss, hyphen, "Str." -- still the same name, birth year and street
    second = world.add_person(
        given_name="hildegard",
        family_name="Schroeder Weiss",
        phone="0340 111",
        address={"street": "Franzstr.", "house_number": "12"},
    )
    other_year = world.add_person(birth_year=1940)

    assert first["possible_duplicates"] == []
    assert [d["id"] for d in second["possible_duplicates"]] == [first["id"]]
    assert "phone" not in second["possible_duplicates"][0]  # a suggestion shows no contact details
    assert other_year["possible_duplicates"] == []
    # nothing merged: both records remain, each with its own data
    for person, phone in ((first, "0340 7654321"), (second, "0340 111")):
        read = world.client.get(f"/persons/{person['id']}", headers=world.staff())
        assert read.status_code == 200 and read.json()["phone"] == phone
    shown = world.audit(subject_id=first["id"])
    assert [(e["purpose"], e["actor"]) for e in shown][:1] == [("duplicate_check", "anna.staff")]


def test_a_search_shows_a_summary_of_each_match_and_audits_every_person_shown(world) -> None:
    hildegard = world.add_person()
    horst = world.add_person(given_name="Horst", family_name="Lehmann", birth_year=1950)

    found = world.client.get("/persons", params={"name": "SCHRODER weiss", "birth_year": 1939}, headers=world.staff())
    assert found.status_code == 200, found.text
    results = found.json()["results"]
    assert [r["id"] for r in results] == [hildegard["id"]]
    assert "email" not in results[0] and "phone" not in results[0]
    assert found.json()["truncated"] is False
    entries = world.audit(subject_id=hildegard["id"])
    assert [(e["action"], e["purpose"]) for e in entries] == [("search", "case_work")]
    assert "family_name" in entries[0]["fields"] and "phone" not in entries[0]["fields"]
    # Horst was not shown, so nobody read him
    assert world.audit(subject_id=horst["id"]) == []
    for typed in ("Schröder", "schroeder-weiß", "hildegard schr"):
        again = world.client.get("/persons", params={"name": typed}, headers=world.staff())
        assert [r["id"] for r in again.json()["results"]] == [hildegard["id"]], typed


def test_a_search_needs_two_letters_and_shows_at_most_the_limit(world) -> None:
    for year in (1930, 1931, 1932):
        world.add_person(birth_year=year)
    too_short = world.client.get("/persons", params={"name": "s-"}, headers=world.staff("x"))
    assert too_short.status_code == 422
    assert too_short.json()["errors"][0]["field"] == "name"
    limited = world.client.get("/persons", params={"name": "hildegard", "limit": 2}, headers=world.staff())
    assert len(limited.json()["results"]) == 2 and limited.json()["truncated"] is True
    assert len([e for e in world.audit() if e["action"] == "search"]) == 2


def test_correcting_a_person_changes_only_the_fields_sent_and_resolves_the_new_address(world) -> None:
    person = world.add_person()
    patched = world.client.patch(
        f"/persons/{person['id']}",
        json={"phone": "0170 999", "address": {"street": "Leipziger Str.", "house_number": "3"}},
        headers=world.staff(),
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["phone"], body["street"], body["email"]) == ("0170 999", "Leipziger Straße", PERSON_EMAIL)
    assert body["person_ref"] == person["person_ref"]
    update = [e for e in world.audit(subject_id=person["id"]) if e["action"] == "update"]
    assert sorted(update[0]["fields"]) == ["house_number", "phone", "street"]


PERSON_EMAIL = "hildegard.sw@example.org"


def test_an_unknown_street_is_refused_with_candidates_instead_of_a_guess(world) -> None:
    response = world.client.post(
        "/persons",
        json={**world.person, "address": {"street": "Franzstrase", "house_number": "147"}},
        headers={**world.staff(), "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "address.street"
    assert "Franzstraße" in [c["street"] for c in response.json()["candidates"]]


@pytest.mark.parametrize(
    ("body", "field", "german", "english"),
    [
        ({"birth_year": 1800}, "birth_year", "mindestens", "greater than or equal"),
        ({"email": "nicht-an-mail"}, "email", "Format", "pattern"),
        ({"given_name": "Er\x00ika"}, "given_name", "NUL", "NUL"),
        ({"phone": "ruf mich an"}, "phone", "Format", "pattern"),
        ({"preferred_channel": "fax"}, "preferred_channel", "erlaubt", "phone"),
        ({"given_name": None, "family_name": None, "phone": None, "email": None}, "family_name", "Namen", "name"),
        ({"quarter_id": "atlantis", "address": None}, "quarter_id", "Quartier", "quarter"),
    ],
)
def test_bad_person_data_gets_422_naming_the_field_in_german_and_english(world, body, field, german, english) -> None:
    for language, word in (("de", german), ("en", english)):
        response = world.client.post(
            "/persons", json={**world.person, **body}, headers={**world.staff(), "Accept-Language": language}
        )
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert error["field"] == field
        assert word in error["message"], (language, error["message"])


def test_without_a_token_401_and_without_the_right_role_403(world) -> None:
    person = world.add_person()
    assert world.client.get(f"/persons/{person['id']}").status_code == 401
    assert world.client.post("/persons", json=world.person).status_code == 401
    for role in ("volunteer", "carrier", "committee"):
        headers = world.as_role(role, org="awo-dessau", subject=f"{role}-1")
        assert world.client.get(f"/persons/{person['id']}", headers=headers).status_code == 403
        assert world.client.get("/persons", params={"name": "hildegard"}, headers=headers).status_code == 403
        assert world.client.post("/persons", json=world.person, headers=headers).status_code == 403
    # a Kümmerer may record a person met on a round, but not look people up
    kuemmerer = world.as_role("kuemmerer", subject="kurt")
    assert world.client.post("/persons", json=world.person, headers=kuemmerer).status_code == 201
    assert world.client.get(f"/persons/{person['id']}", headers=kuemmerer).status_code == 403
    # staff may not erase, and only coordinators and admins see the audit log
    assert world.client.delete(f"/persons/{person['id']}", headers=world.staff()).status_code == 403
    denied = world.client.get("/audit", headers={**world.staff(), "Accept-Language": "en"})
    assert denied.status_code == 403 and "coordinator" in denied.json()["detail"]
    # the refused requests read nothing, and the Kümmerer was not shown the team's person as a
    # possible duplicate: suggestions come only from the persons the caller may see
    assert world.audit(subject_id=person["id"]) == []


def test_an_unknown_person_is_404(world) -> None:
    response = world.client.get(f"/persons/{uuid.uuid4()}", headers={**world.staff(), "Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json()["code"] == "person_not_found"
