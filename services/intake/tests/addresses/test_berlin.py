"""Berlin's 401,032 real addresses: imported with the real command, loaded from the database, and
every one resolves to its own planning area (LOR Planungsraum) -- as listed and as staff type it."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from qn_intake.addresses.directory import AddressProblem
from qn_intake.addresses.normalize import parse_house_number, street_key

from .conftest import BERLIN_ADDRESSES, Berlin

pytestmark = pytest.mark.integration


def test_the_berlin_file_imports_as_it_is_with_progress_in_seconds(berlin: Berlin) -> None:
    assert "addresses imported" in berlin.import_output  # the progress staff watch
    assert f"{BERLIN_ADDRESSES:,} addresses in the street directory" in berlin.import_output
    assert berlin.import_seconds < 60, f"import took {berlin.import_seconds:.1f} s"
    assert berlin.load_seconds < 20, f"loading the directory took {berlin.load_seconds:.1f} s"
    assert berlin.directory.size == len(berlin.rows) == BERLIN_ADDRESSES
    assert berlin.directory.quarter_count == 542
    assert "01100309" in {r.quarter_id for r in berlin.rows[:5]}  # PLR_ID read as text: leading zero kept


def test_every_berlin_address_resolves_to_its_own_planning_area(berlin: Berlin) -> None:
    resolve = berlin.directory.resolve
    wrong: list[str] = []
    for row in berlin.rows:
        try:
            quarter = resolve(row.street, row.house_number, row.postcode).quarter_id
        except AddressProblem as problem:
            quarter = f"422 {problem.field}: {problem.en}"
        if quarter != row.quarter_id:
            wrong.append(f"{row.street} {row.house_number or ''}, {row.postcode}: {quarter}, not {row.quarter_id}")
    assert not wrong, f"{len(wrong)} of {len(berlin.rows)} addresses resolve wrongly, first: {wrong[:10]}"


def as_staff_type_it(street: str, rng: random.Random) -> str:
    """Lower case, 'str.', 'strasse', 'Str', hyphens as spaces -- one of them at random."""
    return rng.choice(
        [
            lambda s: s.lower(),
            lambda s: s.replace("straße", "str.").replace("Straße", "Str."),
            lambda s: s.replace("ß", "ss").lower(),
            lambda s: s.replace("straße", "str").replace("Straße", "Str"),
            lambda s: s.replace("-", " ").upper(),
            lambda s: s.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"),
        ]
    )(street)


def spaced(number: str | None) -> str | None:
    return f"{number[:-1]} {number[-1]}" if number and number[-1].isalpha() else number


def test_berlin_addresses_typed_as_staff_type_them_resolve_to_the_same_planning_area(berlin: Berlin) -> None:
    # which (street, number) pairs name one planning area in all Berlin, worked out from the file itself
    areas: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for row in berlin.rows:
        areas[(street_key(row.street), row.house_number)].add(row.quarter_id)
    rng = random.Random(7)
    sample = rng.sample(berlin.rows, 20_000)
    wrong: list[str] = []
    without_postcode = 0
    for row in sample:
        unambiguous = len(areas[(street_key(row.street), row.house_number)]) == 1
        street = as_staff_type_it(row.street, rng)
        postcode = None if unambiguous and rng.random() < 0.5 else row.postcode
        without_postcode += postcode is None
        number = spaced(row.house_number) if rng.random() < 0.5 else (row.house_number or "").lower() or None
        for typed in ((street, number, postcode), (f"{street} {number or ''}, {row.postcode}", None, None)):
            try:
                quarter = berlin.directory.resolve(*typed).quarter_id
            except AddressProblem as problem:
                quarter = f"422 {problem.field}: {problem.en}"
            if quarter != row.quarter_id:
                wrong.append(f"{typed}: {quarter}, not {row.quarter_id}")
    assert without_postcode > 5_000
    assert not wrong, f"{len(wrong)} typed addresses resolve wrongly, first: {wrong[:10]}"


def problem(berlin: Berlin, street: str, number: str | None = None, postcode: str | None = None) -> AddressProblem:
    with pytest.raises(AddressProblem) as raised:
        berlin.directory.resolve(street, number, postcode)
    return raised.value


def test_a_street_without_number_that_crosses_planning_areas_asks_for_the_number(berlin: Berlin) -> None:
    found = problem(berlin, "Ackerstr")
    assert found.field == "address.house_number"
    assert {c["street"] for c in found.candidates} == {"Ackerstraße"}
    assert {c["postcode"] for c in found.candidates} == {"10115", "13355", "13585"}
    assert all(c["house_numbers"] for c in found.candidates)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Akerstraße", "Ackerstraße"),
        ("Karl Marx Alle", "Karl-Marx-Allee"),
        ("Schönhauser Alle", "Schönhauser Allee"),
        ("Kottbusser Dam", "Kottbusser Damm"),
        ("Torstrase", "Torstraße"),
        ("Mehringdam", "Mehringdamm"),
    ],
)
def test_a_misspelt_street_gets_422_with_the_right_street_first(berlin: Berlin, typed: str, expected: str) -> None:
    found = problem(berlin, typed, "5")
    assert found.field == "address.street"
    assert found.candidates[0]["street"] == expected
    assert all(c["postcode"] for c in found.candidates)


def test_a_house_number_beyond_the_street_gets_422_with_the_numbers_nearest(berlin: Berlin) -> None:
    found = problem(berlin, "Frankfurter Allee", "1000")
    assert found.field == "address.house_number"
    numbers = [parse_house_number(c["house_number"]).number for c in found.candidates]  # type: ignore[union-attr]
    highest = max(
        parse_house_number(r.house_number).number
        for r in berlin.rows  # type: ignore[union-attr]
        if r.street == "Frankfurter Allee" and r.house_number
    )
    assert numbers[0] == highest
    assert "1–111a" in found.en  # the known numbers per postcode are named


def test_namesakes_in_different_postcodes_are_offered_with_postcode_and_district(berlin: Berlin) -> None:
    found = problem(berlin, "Dessauer Str.", "5")
    assert found.field == "address.postcode"
    offered = {(c["street"], c["postcode"], c["locality"]) for c in found.candidates}
    assert offered == {
        ("Dessauer Straße", "10963", "Kreuzberg"),
        ("Dessauer Straße", "12689", "Marzahn"),
        ("Dessauerstraße", "12249", "Lankwitz"),
    }
    resolved = berlin.directory.resolve("dessauer strasse", "5", "12249")
    assert (resolved.street, resolved.quarter_id) == ("Dessauerstraße", "06200315")


def test_autocomplete_finds_berlin_streets_by_their_start(berlin: Berlin) -> None:
    names = [s["street"] for s in berlin.directory.streets_starting("karl-marx")]
    assert names[:4] == sorted(names[:4], key=len) and "Karl-Marx-Allee" in names and "Karl-Marx-Straße" in names
    assert berlin.directory.streets_starting("schoenhauser")[0]["street"] == "Schönhauser Allee"
