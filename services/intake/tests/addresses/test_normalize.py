"""Addresses as staff type them fold to the same keys as the directory's spelling."""

from __future__ import annotations

import pytest

from qn_intake.addresses.normalize import (
    HouseNumber,
    normalize_postcode,
    parse_address_line,
    parse_house_range,
    prefix_keys,
    street_key,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("typed", "directory_spelling"),
    [
        ("Leipziger Str.", "Leipziger Straße"),
        ("leipziger str", "Leipziger Straße"),
        ("LEIPZIGER STRASSE", "Leipziger Straße"),
        ("Leipziger-Straße", "Leipziger Straße"),
        ("  Leipziger   Straße ", "Leipziger Straße"),
        ("Franzstr.", "Franzstraße"),
        ("franzstr", "Franzstraße"),
        ("Franzstrasse", "Franzstraße"),
        ("Karl - Marx - Allee", "Karl-Marx-Allee"),
        ("Karl Marx Allee", "Karl-Marx-Allee"),
        ("Str. des 17. Juni", "Straße des 17. Juni"),
        ("strasse des 17 juni", "Straße des 17. Juni"),
        ("Gierkepl.", "Gierkeplatz"),
        ("Hoffmann-von-Fallersleben-Platz", "Hoffmann-von-Fallersleben-Pl."),
        ("Prof.-Fischer-Weg", "Professor-Fischer-Weg"),
        ("St.-Georg-Str.", "Sankt-Georg-Straße"),
        ("Müllerstr.", "Muellerstraße"),
        ("Muellerstrasse", "Müllerstraße"),
        ("Kuehnauer Str.", "Kühnauer Straße"),
        ("Schlossstr.", "Schloßstraße"),
        ("Schlosstr.", "Schloßstraße"),
        ("Allee St. Exupery", "Allée St. Exupéry"),
    ],
)
def test_a_street_typed_the_usual_ways_meets_the_directory_spelling(typed: str, directory_spelling: str) -> None:
    assert street_key(typed) == street_key(directory_spelling)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Straße 7 3", "Straße 73"),  # street 'Straße 7', house 3 is not the street 'Straße 73'
        ("Ackerstraße", "Akerstraße"),
        ("Dessauer Straße", "Dessauer Platz"),
    ],
)
def test_different_streets_keep_different_keys(one: str, other: str) -> None:
    assert street_key(one) != street_key(other)


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("12", HouseNumber(12), None),
        ("12a", HouseNumber(12, "a"), None),
        ("12 A", HouseNumber(12, "a"), None),
        ("12A", HouseNumber(12, "a"), None),
        (" 12  a ", HouseNumber(12, "a"), None),
        ("12-14", HouseNumber(12), HouseNumber(14)),
        ("12 – 14b", HouseNumber(12), HouseNumber(14, "b")),
        ("12a-c", HouseNumber(12, "a"), HouseNumber(12, "c")),
        ("12/1", HouseNumber(12), None),
        ("Nr. 5", HouseNumber(5), None),
    ],
)
def test_house_numbers_keep_number_and_suffix(typed: str, first: HouseNumber, last: HouseNumber | None) -> None:
    assert parse_house_range(typed) == (first, last)


@pytest.mark.parametrize("typed", ["zwölf", "12 ab", "a12", "12.5", "1234567"])
def test_an_unreadable_house_number_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_house_range(typed)


def test_postcodes_are_five_digits_and_a_lost_leading_zero_comes_back() -> None:
    assert normalize_postcode("06842") == "06842"
    assert normalize_postcode("6842") == "06842"
    assert normalize_postcode("D-06842") == "06842"
    assert normalize_postcode(" ") is None
    with pytest.raises(ValueError):
        normalize_postcode("123")


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("Franzstr. 147a, 06842", ("Franzstr.", "147a", "06842")),
        ("Franzstr. 147 a 06842 Dessau-Roßlau", ("Franzstr.", "147 a", "06842")),
        ("06842 Dessau, Franzstr. 147", ("Franzstr.", "147", "06842")),
        ("Straße des 17. Juni 135", ("Straße des 17. Juni", "135", None)),
        ("Karl-Marx-Allee", ("Karl-Marx-Allee", None, None)),
    ],
)
def test_a_whole_address_typed_in_one_line_is_taken_apart(line: str, parts: tuple[str, str | None, str | None]) -> None:
    assert parse_address_line(line) == parts


def test_a_half_typed_street_is_a_prefix_of_its_key() -> None:
    assert any(street_key("Ackerstraße").startswith(k) for k in prefix_keys("Ackerstr"))
    assert any(street_key("Stralauer Allee").startswith(k) for k in prefix_keys("Str"))
    assert any(street_key("Müllerstraße").startswith(k) for k in prefix_keys("muell"))
