"""Staff check an address before recording a concern, and autocomplete street names (demo city:
Dessau-Roßlau, deploy/demo-city/strassen.csv)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def resolve(intake, role: str = "team_staff", **query: str):  # type: ignore[no-untyped-def]
    return intake.client.get("/addresses/resolve", params=query, headers=intake.tokens.headers(role))


def test_staff_check_an_abbreviated_address_and_see_its_quarter_and_team(intake) -> None:
    found = resolve(intake, street="franzstr.", house_number="147 a")
    assert found.status_code == 200, found.text
    assert found.json() == {
        "street": "Franzstraße",
        "house_number": "147a",
        "postcode": "06842",
        "quarter_id": "innenstadt-sued",
        "quarter_name": "Innerstädtischer Bereich Süd (Am Leipziger Tor)",
        "district": "dessau",
        "team_id": "team-innenstadt",
    }


def test_a_whole_address_typed_in_the_street_field_resolves(intake) -> None:
    found = resolve(intake, street="Askanische Str. 121 a, 06842")
    assert found.status_code == 200, found.text
    assert (found.json()["quarter_id"], found.json()["house_number"]) == ("innenstadt-sued", "121a")


def test_a_kuemmerer_may_check_addresses_but_a_volunteer_or_carrier_may_not(intake) -> None:
    assert resolve(intake, "kuemmerer", street="Zerbster Straße").status_code == 200
    assert resolve(intake, "coordinator", street="Zerbster Straße").status_code == 200
    assert resolve(intake, "volunteer", street="Zerbster Straße").status_code == 403
    assert resolve(intake, "carrier", street="Zerbster Straße").status_code == 403
    assert intake.client.get("/addresses/resolve", params={"street": "Zerbster Straße"}).status_code == 401


def test_a_misspelt_street_gets_422_in_german_and_english_with_candidates(intake) -> None:
    german = resolve(intake, street="Kühnauer Strase", house_number="3")
    english = intake.client.get(
        "/addresses/resolve",
        params={"street": "Kühnauer Strase", "house_number": "3"},
        headers={**intake.staff(), "Accept-Language": "en"},
    )
    assert german.status_code == english.status_code == 422
    assert german.json()["errors"] == [{"field": "street", "message": german.json()["detail"]}]
    assert "nicht bekannt" in german.json()["detail"] and "not in the street directory" in english.json()["detail"]
    first = german.json()["candidates"][0]
    assert (first["street"], first["postcode"], first["quarter_id"]) == ("Kühnauer Straße", "06842", "innenstadt-sued")
    assert first["quarter_name"] == "Innerstädtischer Bereich Süd (Am Leipziger Tor)"


def test_a_street_in_two_quarters_lists_both_with_their_names_and_house_numbers(intake) -> None:
    found = resolve(intake, street="Askanische Straße")
    assert found.status_code == 422
    assert found.json()["errors"][0]["field"] == "postcode"
    by_quarter = {c["quarter_id"]: c for c in found.json()["candidates"]}
    assert by_quarter["innenstadt-mitte"]["house_numbers"] == "1–4"
    assert by_quarter["innenstadt-sued"]["house_numbers"] == "120–121a"
    assert by_quarter["innenstadt-mitte"]["quarter_name"] == "Innerstädtischer Bereich Mitte"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "street"),
        ({"street": ""}, "street"),
        ({"street": "x" * 201}, "street"),
        ({"street": "Franzstraße", "house_number": "zwölf"}, "house_number"),
        ({"street": "Franzstraße", "postcode": "123"}, "postcode"),
        ({"street": "Franzstraße", "postcode": "06844"}, "postcode"),
    ],
)
def test_bad_input_names_the_field(intake, query: dict[str, str], field: str) -> None:
    found = resolve(intake, **query)
    assert found.status_code == 422
    assert found.json()["errors"][0]["field"] == field


def test_autocomplete_finds_streets_whatever_the_case_and_umlauts(intake) -> None:
    def names(prefix: str) -> list[str]:
        found = intake.client.get("/addresses/streets", params={"prefix": prefix}, headers=intake.staff())
        assert found.status_code == 200, found.text
        return [s["street"] for s in found.json()["streets"]]

    assert names("kuehnauer") == names("KÜHN") == ["Kühnauer Straße"]
    assert names("schloss") == ["Schloßplatz"]
    assert names("Leipziger") == ["Leipziger Straße", "Am Leipziger Tor"]  # the start of the name first
    assert names("dessauer str.") == ["Dessauer Straße"]
    assert names("qqq") == []
    assert len(names("s")) <= 10
    found = intake.client.get("/addresses/streets", params={"prefix": "franz"}, headers=intake.staff()).json()
    assert found["streets"] == [{"street": "Franzstraße", "postcodes": ["06842"], "localities": ["Dessau-Roßlau"]}]


def test_what_staff_type_is_not_written_to_the_log(intake, capfd) -> None:  # type: ignore[no-untyped-def]
    resolve(intake, street="Geheimweg 12", postcode="06842")
    resolve(intake, street="Franzstraße", house_number="147")
    intake.client.get("/addresses/streets", params={"prefix": "Geheimw"}, headers=intake.staff())
    logged = "".join(capfd.readouterr())
    assert "route=/addresses/resolve" in logged or '"/addresses/resolve"' in logged  # requests are logged ...
    assert "Geheimw" not in logged and "Franzstra" not in logged  # ... without the address
