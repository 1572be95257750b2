"""Resolving addresses against a small hand-made directory: what is certain resolves, what is not
gets 422 with candidates a person can choose from -- never a guess."""

from __future__ import annotations

import pytest

from qn_intake.addresses.directory import AddressProblem, DirectoryRow, StreetDirectory

pytestmark = pytest.mark.unit


def rows() -> list[DirectoryRow]:
    found = [
        *(DirectoryRow("Dessauer Straße", "10963", str(n), "kreuzberg", "Kreuzberg") for n in range(1, 11)),
        *(DirectoryRow("Dessauerstraße", "12249", str(n), "lankwitz", "Lankwitz") for n in range(1, 11)),
        DirectoryRow("Ackerstraße", "10115", "1", "oranienburger", "Mitte"),
        DirectoryRow("Ackerstraße", "10115", "1A", "oranienburger", "Mitte"),
        DirectoryRow("Ackerstraße", "10115", "1B", "invaliden", "Mitte"),
        DirectoryRow("Ackerstraße", "10115", "2", "oranienburger", "Mitte"),
        DirectoryRow("Ackerstraße", "10115", "2A", "oranienburger", "Mitte"),
        DirectoryRow("Ackerstraße", "10115", "3", "invaliden", "Mitte"),
        DirectoryRow("Ackerstraße", "13355", "45", "gesundbrunnen", "Gesundbrunnen"),
        DirectoryRow("Ackerstraße", "13355", "47", "gesundbrunnen", "Gesundbrunnen"),
        DirectoryRow("Franzstraße", "06842", None, "innenstadt-sued", "Dessau"),
        DirectoryRow("Kurze Straße", "12345", "1", "kurz", ""),
        DirectoryRow("Kurze Straße", "12345", "3", "kurz", ""),
        DirectoryRow("Straße 70", "13000", "1", "siebzig", ""),
        DirectoryRow("Straße 7", "13000", "3", "sieben", ""),
        DirectoryRow("Müllerstraße", "13353", "1", "wedding", "Wedding"),
    ]
    return found


@pytest.fixture(scope="module")
def directory() -> StreetDirectory:
    return StreetDirectory(rows(), quarter_names={"kreuzberg": "Mehringplatz", "lankwitz": "Lankwitz Kirche"})


def problem(directory: StreetDirectory, *address: str | None) -> AddressProblem:
    with pytest.raises(AddressProblem) as raised:
        directory.resolve(*address)  # type: ignore[arg-type]
    assert raised.value.de and raised.value.en and raised.value.de != raised.value.en
    return raised.value


@pytest.mark.parametrize(
    ("street", "number", "postcode"),
    [
        ("Ackerstraße", "1", "10115"),
        ("Ackerstr.", "1", "10115"),
        ("ackerstrasse", "1", None),
        ("ACKERSTR", "1", "10115"),
        ("Ackerstr. 1, 10115", None, None),
        ("Ackerstr. 1", None, None),
    ],
)
def test_an_address_resolves_however_it_is_typed(
    directory: StreetDirectory, street: str, number: str, postcode: str
) -> None:
    resolved = directory.resolve(street, number, postcode)
    assert resolved == ("Ackerstraße", "10115", "1", "oranienburger")


def test_a_suffix_counts_with_or_without_a_space(directory: StreetDirectory) -> None:
    assert directory.resolve("Ackerstr.", "1 B", "10115").quarter_id == "invaliden"
    assert directory.resolve("Ackerstr.", "1b").quarter_id == "invaliden"
    assert directory.resolve("Ackerstr.", "1b").house_number == "1b"


def test_two_spellings_in_two_postcodes_are_offered_with_postcode_and_district(directory: StreetDirectory) -> None:
    found = problem(directory, "Dessauer Str.", "5", None)
    assert found.field == "address.postcode"
    offered = {
        (c["street"], c["postcode"], c["locality"], c["quarter_id"], c["quarter_name"]) for c in found.candidates
    }
    assert offered == {
        ("Dessauer Straße", "10963", "Kreuzberg", "kreuzberg", "Mehringplatz"),
        ("Dessauerstraße", "12249", "Lankwitz", "lankwitz", "Lankwitz Kirche"),
    }


def test_the_postcode_chooses_between_two_spellings(directory: StreetDirectory) -> None:
    resolved = directory.resolve("Dessauer Str.", "5", "12249")
    assert (resolved.street, resolved.quarter_id) == ("Dessauerstraße", "lankwitz")


def test_a_wrong_postcode_is_not_overruled_but_the_right_one_is_offered(directory: StreetDirectory) -> None:
    found = problem(directory, "Ackerstraße", "1", "99999")
    assert found.field == "address.postcode"
    first = found.candidates[0]
    assert (first["postcode"], first["house_number"], first["quarter_id"]) == ("10115", "1", "oranienburger")


def test_a_number_that_exists_only_in_another_postcode_of_the_street_asks_for_the_postcode(
    directory: StreetDirectory,
) -> None:
    found = problem(directory, "Ackerstraße", "45", "10115")
    assert found.field == "address.postcode"
    assert [(c["postcode"], c["house_number"]) for c in found.candidates] == [("13355", "45")]


def test_an_unknown_suffix_whose_neighbours_lie_in_two_quarters_offers_the_known_ones(
    directory: StreetDirectory,
) -> None:
    found = problem(directory, "Ackerstraße", "1c", "10115")
    assert found.field == "address.house_number"
    assert {(c["house_number"], c["quarter_id"]) for c in found.candidates} == {
        ("1", "oranienburger"),
        ("1a", "oranienburger"),
        ("1b", "invaliden"),
    }


def test_an_unknown_suffix_resolves_where_every_house_of_that_number_lies_in_one_quarter(
    directory: StreetDirectory,
) -> None:
    assert directory.resolve("Ackerstraße", "2c", "10115").quarter_id == "oranienburger"


def test_an_unknown_number_resolves_only_where_the_whole_street_lies_in_one_quarter(directory: StreetDirectory) -> None:
    assert directory.resolve("Kurze Str.", "99").quarter_id == "kurz"
    found = problem(directory, "Ackerstraße", "30", "10115")
    assert found.field == "address.house_number"
    assert [c["house_number"] for c in found.candidates][:1] == ["3"]
    assert "1–3" in found.en


def test_without_a_number_a_street_in_several_quarters_lists_which_numbers_lie_where(
    directory: StreetDirectory,
) -> None:
    found = problem(directory, "Ackerstraße", None, "10115")
    assert found.field == "address.house_number"
    spans = {c["quarter_id"]: c["house_numbers"] for c in found.candidates}
    assert spans == {"oranienburger": "1–2a", "invaliden": "1b–3"}


def test_a_row_for_the_whole_street_resolves_every_number(directory: StreetDirectory) -> None:
    assert directory.resolve("Franzstr. 147a, 06842").quarter_id == "innenstadt-sued"
    assert directory.resolve("franzstrasse", "3", "6842").quarter_id == "innenstadt-sued"
    assert directory.resolve("Franzstraße").quarter_id == "innenstadt-sued"


def test_a_range_resolves_when_both_ends_lie_in_one_quarter(directory: StreetDirectory) -> None:
    assert directory.resolve("Ackerstraße", "1-2", "10115").quarter_id == "oranienburger"
    found = problem(directory, "Ackerstraße", "2-3", "10115")
    assert found.field == "address.house_number"
    assert {c["quarter_id"] for c in found.candidates} == {"oranienburger", "invaliden"}


def test_a_street_whose_name_ends_in_a_number_is_not_mistaken_for_another(directory: StreetDirectory) -> None:
    assert directory.resolve("Straße 7 3").quarter_id == "sieben"
    assert directory.resolve("Straße 70", "1").quarter_id == "siebzig"
    assert directory.resolve("Str. 70 1, 13000").quarter_id == "siebzig"


def test_an_unknown_street_gets_the_closest_names_first(directory: StreetDirectory) -> None:
    found = problem(directory, "Akerstrasse", "1", None)
    assert found.field == "address.street"
    assert {c["street"] for c in found.candidates[:2]} == {"Ackerstraße"}
    assert {c["postcode"] for c in found.candidates[:2]} == {"10115", "13355"}


def test_unreadable_numbers_and_postcodes_name_their_field(directory: StreetDirectory) -> None:
    assert problem(directory, "Ackerstraße", "eins", None).field == "address.house_number"
    assert problem(directory, "Ackerstraße", "1", "101").field == "address.postcode"


def test_the_field_prefix_follows_the_caller(directory: StreetDirectory) -> None:
    with pytest.raises(AddressProblem) as raised:
        directory.resolve("Nirgendwostraße", "1", None, field_prefix="")
    assert raised.value.field == "street"


def test_autocomplete_folds_case_and_umlauts_and_finds_later_words(directory: StreetDirectory) -> None:
    def names(prefix: str) -> list[str]:
        return [s["street"] for s in directory.streets_starting(prefix)]

    assert names("dessauer") == ["Dessauerstraße", "Dessauer Straße"]
    assert names("muellerstr") == names("Müllerstr") == ["Müllerstraße"]
    assert "Ackerstraße" in names("ACKERSTR.")
    assert names("Dessauer Str")[0] == "Dessauer Straße"
    assert names("xyz") == []
    assert directory.streets_starting("acker")[0]["postcodes"] == ["10115", "13355"]
