"""Coordinates resolve to the quarter whose outline holds them; outside every outline the answer is
422 with the nearest quarters, never a guess."""

from __future__ import annotations

import math

import pytest

from qn_intake.addresses.polygons import LocationProblem, PolygonError, QuarterPolygons

pytestmark = pytest.mark.unit

# Three made-up quarters in Dessau: two squares side by side and an L-shaped one to the north.
WEST = [(12.22, 51.82), (12.24, 51.82), (12.24, 51.84), (12.22, 51.84)]
EAST = [(12.24, 51.82), (12.26, 51.82), (12.26, 51.84), (12.24, 51.84)]
NORTH_L = [(12.22, 51.85), (12.26, 51.85), (12.26, 51.86), (12.23, 51.86), (12.23, 51.88), (12.22, 51.88)]


@pytest.fixture(scope="module")
def polygons() -> QuarterPolygons:
    return QuarterPolygons({"west": WEST, "east": EAST, "north": NORTH_L}, {"west": "Westviertel"})


def test_a_point_inside_an_outline_gives_its_quarter(polygons: QuarterPolygons) -> None:
    assert polygons.quarter_at(12.23, 51.83) == "west"
    assert polygons.quarter_at(12.25, 51.83) == "east"
    assert polygons.quarter_at(12.225, 51.87) == "north"


def test_the_notch_of_an_l_shaped_quarter_is_not_inside_it(polygons: QuarterPolygons) -> None:
    with pytest.raises(LocationProblem) as raised:
        polygons.quarter_at(12.25, 51.87)  # inside the bounding box of 'north', outside its outline
    assert raised.value.field == "location"
    assert raised.value.candidates[0]["quarter_id"] == "north"


def test_a_point_outside_every_outline_gets_the_nearest_quarters_with_their_distance(polygons: QuarterPolygons) -> None:
    with pytest.raises(LocationProblem) as raised:
        polygons.quarter_at(12.27, 51.83)  # 0.01 degrees east of 'east'
    problem = raised.value
    assert problem.field == "location" and problem.code == "location_unresolved"
    assert [c["quarter_id"] for c in problem.candidates] == ["east", "west", "north"]
    expected = 0.01 * 111_320 * math.cos(math.radians(51.85))
    assert abs(problem.candidates[0]["distance_m"] - expected) < 0.01 * expected
    assert "m entfernt" in problem.de and "m away" in problem.en


def test_a_point_on_the_border_of_two_quarters_is_not_guessed(polygons: QuarterPolygons) -> None:
    with pytest.raises(LocationProblem) as raised:
        polygons.quarter_at(12.24, 51.83)
    assert {c["quarter_id"] for c in raised.value.candidates} == {"west", "east"}
    names = {c["quarter_id"]: c["quarter_name"] for c in raised.value.candidates}
    assert names == {"west": "Westviertel", "east": None}


def test_swapped_latitude_and_longitude_are_pointed_out(polygons: QuarterPolygons) -> None:
    with pytest.raises(LocationProblem) as raised:
        polygons.quarter_at(51.83, 12.23)
    assert "swapped" in raised.value.en and "vertauscht" in raised.value.de


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [(181.0, 51.0, "location.lon"), (12.0, -91.0, "location.lat"), (float("nan"), 51.0, "location.lon")],
)
def test_coordinates_out_of_range_name_the_field(polygons: QuarterPolygons, lon: float, lat: float, field: str) -> None:
    with pytest.raises(LocationProblem) as raised:
        polygons.quarter_at(lon, lat)
    assert raised.value.field == field


def test_without_any_outline_a_location_cannot_be_resolved() -> None:
    with pytest.raises(LocationProblem) as raised:
        QuarterPolygons({}).quarter_at(12.23, 51.83)
    assert raised.value.field == "location" and raised.value.candidates == []


def test_an_outline_that_crosses_itself_is_refused_naming_the_quarter() -> None:
    bow_tie = [(12.22, 51.82), (12.24, 51.84), (12.24, 51.82), (12.22, 51.84)]
    with pytest.raises(PolygonError, match="bow-tie"):
        QuarterPolygons({"bow-tie": bow_tie})


def test_every_cell_of_a_berlin_sized_grid_resolves_to_its_own_quarter() -> None:
    """542 outlines, as many as Berlin's planning areas, in a 23 x 24 grid."""
    outlines = {}
    for i in range(542):
        x, y = 13.1 + (i % 23) * 0.02, 52.35 + (i // 23) * 0.015
        outlines[f"q{i}"] = [(x, y), (x + 0.02, y), (x + 0.02, y + 0.015), (x, y + 0.015)]
    grid = QuarterPolygons(outlines)
    found = [grid.quarter_at(13.1 + (i % 23) * 0.02 + 0.01, 52.35 + (i // 23) * 0.015 + 0.007) for i in range(542)]
    assert found == [f"q{i}" for i in range(542)]
