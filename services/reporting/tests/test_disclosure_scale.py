"""Disclosure control at city scale, attacked as an intruder would: a city of several districts
protected district by district (`qn_reporting.disclosure.regions`) must survive the interval
attack on everything published at once (`qn_testkit.interval_attack`, written apart from the
office's own audit); the audit that proves many cells with one program must pin exactly the
cells the exact intervals pin."""

from __future__ import annotations

import random

import pytest

from qn_reporting.disclosure import Cube, Dimension, protect
from qn_reporting.disclosure.audit import intervals
from qn_reporting.disclosure.certify import pinned
from qn_reporting.disclosure.cube import Relations
from qn_reporting.disclosure.protect import protected_enough
from qn_reporting.disclosure.regions import Regions
from qn_testkit.interval_attack import attack

pytestmark = pytest.mark.unit

MONTHS = Dimension("time", "2026", {"2026": ("Q1", "Q2"), "Q1": ("01", "02", "03"), "Q2": ("04", "05", "06")})
DISTRICTS = {"mitte": ("m1", "m2", "m3"), "nord": ("n1", "n2", "n3"), "sued": ("s1", "s2")}
PLACES = Dimension("place", "city", {"city": (*DISTRICTS, "ohne"), **DISTRICTS})
TOPICS = Dimension.flat("topic", "*", ("alter", "wohnen", "schulden"), additive=False)
DIMENSIONS = (MONTHS, PLACES, TOPICS)


def city(seed: int) -> Cube:
    """Concerns per month and area drawn at random (many small counts), one to two topics each,
    every level summed up; a few without a quarter ("ohne") count toward the city only."""
    rng = random.Random(seed)
    values: dict[tuple[str, ...], int] = {}
    areas = [area for kids in DISTRICTS.values() for area in kids] + ["ohne"]
    up = {kid: parent for parent, kids in PLACES.children.items() for kid in kids}
    for quartal, months in (("Q1", ("01", "02", "03")), ("Q2", ("04", "05", "06"))):
        for month in months:
            for area in areas:
                places = [area, *([up[area]] if up[area] != "city" else []), "city"]
                for _ in range(rng.choice([0, 1, 2, 4, 6, 9])):
                    for topic in ["*", *rng.sample(["alter", "wohnen", "schulden"], rng.randint(1, 2))]:
                        for time in (month, quartal, "2026"):
                            for place in places:
                                values[(time, place, topic)] = values.get((time, place, topic), 0) + 1
    return Cube(DIMENSIONS, values)


def published(protected, cube: Cube) -> dict[tuple[str, ...], int | None]:
    return {key: protected.shown(key) for key in cube.cells()}


def trees() -> list[tuple[dict[str, tuple[str, ...]], bool]]:
    return [(dict(d.children), d.additive) for d in DIMENSIONS]


@pytest.mark.parametrize("seed", range(2))
def test_a_city_protected_district_by_district_survives_the_attack_on_everything_published(seed: int) -> None:
    cube = city(seed)
    regions = Regions.of(cube, split_from=0)
    assert regions.branches == ("mitte", "nord", "sued"), "the city is audited as one region per district"

    protected = protect(cube, minimum=3, split_from=0)

    assert not protected.withheld and protected.primary and protected.secondary
    found = attack(published(protected, cube), trees(), asked=protected.primary)
    for key in protected.primary:
        low, high = found[key]
        assert high >= 3 - 1e-6 and low <= cube.value(key) - 1 + 1e-6, f"{key} ({cube.value(key)}): [{low}, {high}]"
    assert protected.shown(("2026", "city", "*")) == cube.value(("2026", "city", "*"))


def test_a_cell_that_passes_its_districts_attack_passes_the_attack_on_everything() -> None:
    # the district's attack holds the other districts' hidden cells at their values: more than an
    # intruder knows, so it may pin a cell the full attack does not -- never the other way round
    cube = city(3)
    relations, regions = Relations(cube), Regions.of(cube, split_from=0)
    rng = random.Random(3)
    small = sorted(key for key in cube.cells() if 0 < cube.value(key) < 3)
    hidden = set(small) | {key for key in cube.cells() if cube.value(key) and rng.random() < 0.45}
    parts = regions.split(hidden)
    passed = []
    for home, part in parts.items():
        asked = [key for key in small if regions.home(key) == home]
        failed = pinned(cube, relations, part, asked, 3)
        passed += [key for key in asked if key not in failed]
    assert passed, "some small cells pass their district's attack"

    shown = {key: None if key in hidden else cube.value(key) for key in cube.cells()}
    found = attack(shown, trees(), asked=passed)
    assert all(found[key][1] >= 3 - 1e-6 and found[key][0] <= cube.value(key) - 1 + 1e-6 for key in passed)


def test_the_audit_that_proves_many_cells_with_one_program_pins_exactly_what_the_exact_intervals_pin() -> None:
    cube = city(5)
    relations = Relations(cube)
    small = sorted(key for key in cube.cells() if 0 < cube.value(key) < 3)
    protected = protect(cube, minimum=3)
    rng = random.Random(5)
    # the protected pattern with a fifth of its complements taken away: some cells pinned, some not
    hidden = set(protected.primary) | {key for key in sorted(protected.secondary) if rng.random() < 0.8}

    exact = intervals(cube, hidden, small, relations)
    pinned_exactly = {key for key in small if not protected_enough(exact[key], cube.value(key), 3)}

    assert pinned_exactly and len(pinned_exactly) < len(small)
    assert set(pinned(cube, relations, hidden, small, 3)) == pinned_exactly


def test_the_districts_get_the_same_cells_hidden_however_their_codes_are_listed() -> None:
    # regions are audited one after another: their order, and the order of the codes in each,
    # must not decide which cells are hidden, or two processes could together show what each hides
    cube = city(7)

    def reordered(dimension: Dimension) -> Dimension:
        kids = {parent: tuple(reversed(children)) for parent, children in reversed(dimension.children.items())}
        return Dimension(dimension.name, dimension.total, kids, dimension.additive)

    shuffled = Cube(tuple(reordered(d) for d in cube.dimensions), dict(reversed(list(cube.values.items()))))
    first, second = protect(cube, minimum=3, split_from=0), protect(shuffled, minimum=3, split_from=0)
    assert first.secondary and first.hidden == second.hidden
