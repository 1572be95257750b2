"""A volunteer's reach over the demo city's quarter outlines: neighbours share a border, distances
run between centroids."""

from __future__ import annotations

import pytest

from qn_matching.city import load_city

from .conftest import DEMO_CITY

pytestmark = pytest.mark.unit

CITY = load_city(DEMO_CITY)


def test_every_demo_quarter_has_an_outline() -> None:
    assert (
        set(CITY.centroids)
        == set(CITY.quarters)
        == {
            "innenstadt-sued",
            "innenstadt-mitte",
            "innenstadt-nord",
            "ziebigk",
            "rosslau",
        }
    )


def test_quarters_sharing_a_border_are_neighbours_and_a_shared_corner_is_not() -> None:
    assert CITY.neighbours["innenstadt-sued"] == {"innenstadt-mitte"}
    assert CITY.neighbours["innenstadt-mitte"] == {"innenstadt-sued", "innenstadt-nord"}
    # Ziebigk meets Innenstadt Mitte at one corner only, and Innenstadt Nord along its east side
    assert CITY.neighbours["ziebigk"] == {"innenstadt-nord"}
    assert CITY.neighbours["rosslau"] == frozenset()


def test_distances_run_between_centroids_in_kilometres() -> None:
    # centroids 0.01° of latitude apart (innenstadt-mitte and -nord): about 1.1 km
    assert CITY.distance_km("innenstadt-mitte", "innenstadt-nord") == pytest.approx(1.112, abs=0.01)
    assert CITY.distance_km("rosslau", "rosslau") == 0.0
    assert CITY.distance_km("rosslau", "atlantis") is None


def test_each_reach_takes_the_quarters_it_says() -> None:
    assert CITY.reaches("ziebigk", "own_quarter", None) == {"ziebigk"}
    assert CITY.reaches("ziebigk", "neighbours", None) == {"ziebigk", "innenstadt-nord"}
    assert CITY.reaches("innenstadt-sued", "distance", 2.5) == {
        "innenstadt-sued",
        "innenstadt-mitte",
        "innenstadt-nord",
    }
    assert "rosslau" in CITY.reaches("innenstadt-nord", "distance", 6.0)


def test_who_may_reach_a_quarter_lives_in_it_next_door_or_within_the_farthest_reach() -> None:
    assert CITY.homes_within("rosslau", 1.0) == {"rosslau"}
    assert CITY.homes_within("innenstadt-sued", 1.0) == {"innenstadt-sued", "innenstadt-mitte"}
