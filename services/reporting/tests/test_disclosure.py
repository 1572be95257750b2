"""Disclosure control as an intruder would test it: take every table of a family as published,
run an interval attack (linear programming, `qn_testkit.interval_attack`, written apart from the
office's own audit) and check the promise: for every hidden small count, what the intruder can
work out reaches up to the minimum (they cannot tell it is small) and down to one less than the
count (for a 1, they cannot tell anyone is behind it)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from qn_reporting.disclosure import Cube, Dimension, protect, safe_share
from qn_testkit.interval_attack import attack, every_cell

pytestmark = pytest.mark.unit

MONTHS = Dimension("month", "2026", {"2026": ("Q1", "Q2"), "Q1": ("01", "02", "03"), "Q2": ("04", "05", "06")})
PLACES = Dimension("place", "city", {"city": ("dessau", "rosslau"), "dessau": ("nord", "sued", "ziebigk")})
TOPICS = Dimension.flat("topic", "*", ("alter", "wohnen", "schulden"), additive=False)


def kept_promise(low: float, high: float, value: int, minimum: int) -> bool:
    return high >= minimum - 1e-6 and low <= value - 1 + 1e-6


def trees(*dimensions: Dimension) -> list[tuple[dict[str, tuple[str, ...]], bool]]:
    return [(dict(d.children), d.additive) for d in dimensions]


def consistent_cube(rng: random.Random, small_share: float) -> Cube:
    """Leaf counts drawn at random (many small ones), parents summed; topics per concern."""
    dims = (MONTHS, PLACES, TOPICS)
    month_leaves = [c for c in MONTHS.codes if c not in MONTHS.children]
    place_leaves = [c for c in PLACES.codes if c not in PLACES.children]
    values: dict[tuple[str, ...], int] = {}

    def add(month: str, place: str, topic: str, n: int) -> None:
        for m in (month, *[p for p, kids in MONTHS.children.items() if month in kids or _under(MONTHS, p, month)]):
            for q in (place, *[p for p in PLACES.children if _under(PLACES, p, place)]):
                values[(m, q, topic)] = values.get((m, q, topic), 0) + n

    for month in month_leaves:
        for place in place_leaves:
            concerns = rng.choice([0, 1, 1, 2, 3]) if rng.random() < small_share else rng.randint(3, 30)
            for _ in range(concerns):
                add(month, place, "*", 1)
                for topic in rng.sample(["alter", "wohnen", "schulden"], rng.randint(1, 2)):
                    add(month, place, topic, 1)
    return Cube(dims, values)


def _under(dimension: Dimension, parent: str, code: str) -> bool:
    kids = dimension.children.get(parent, ())
    return code in kids or any(_under(dimension, kid, code) for kid in kids)


def published(protected, cube: Cube) -> dict[tuple[str, ...], int | None]:
    return {key: protected.shown(key) for key in every_cell([d.codes for d in cube.dimensions])}


def test_a_lone_small_cell_in_a_plain_table_is_hidden_with_enough_others_that_no_total_gives_it_away() -> None:
    months = Dimension.flat("month", "Q1", ("01", "02", "03"))
    places = Dimension.flat("place", "city", ("nord", "sued"))
    leaves = {("01", "nord"): 1, ("02", "nord"): 9, ("03", "nord"): 12, ("01", "sued"): 7, ("02", "sued"): 8}
    leaves |= {("03", "sued"): 20}
    values = dict(leaves)
    for (m, p), n in leaves.items():
        values[("Q1", p)] = values.get(("Q1", p), 0) + n
        values[(m, "city")] = values.get((m, "city"), 0) + n
        values[("Q1", "city")] = values.get(("Q1", "city"), 0) + n
    cube = Cube((months, places), values)

    protected = protect(cube, minimum=3)

    shown = published(protected, cube)
    assert shown[("01", "nord")] is None, "the 1 is not shown"
    assert ("01", "nord") in protected.primary
    assert len(protected.secondary) >= 3, "a row and a column partner, and the cell closing the rectangle"
    assert shown[("Q1", "city")] == 57, "the grand total stays published"
    low, high = attack(shown, trees(months, places))[("01", "nord")]
    assert kept_promise(low, high, 1, 3)


def test_without_secondary_suppression_the_attack_finds_the_cell_exactly() -> None:
    """The attack is real: hiding only the small cell gives it away through its row total."""
    cube = consistent_cube(random.Random(7), small_share=0.4)
    protected = protect(cube, minimum=3)
    only_primary = {
        key: (None if key in protected.primary else cube.value(key))
        for key in every_cell([d.codes for d in cube.dimensions])
    }
    found = attack(only_primary, trees(MONTHS, PLACES, TOPICS))
    pinned = [key for key in protected.primary if found[key][1] - found[key][0] < 1e-6]
    assert pinned, "with totals published, primary suppression alone must leak"


@pytest.mark.parametrize("seed", range(3))
def test_no_small_cell_can_be_narrowed_below_the_minimum_across_months_quartals_quarters_districts_and_topics(
    seed: int,
) -> None:
    cube = consistent_cube(random.Random(seed), small_share=0.35)
    protected = protect(cube, minimum=3)
    assert protected.primary, "the random city has small cells to protect"

    found = attack(published(protected, cube), trees(MONTHS, PLACES, TOPICS))

    for key in protected.primary:
        low, high = found[key]
        assert low - 1e-6 <= cube.value(key) <= high + 1e-6, "the intruder's interval holds the truth"
        assert kept_promise(low, high, cube.value(key), 3), f"{key} (value {cube.value(key)}) pinned to [{low}, {high}]"
    assert protected.shown(("2026", "city", "*")) == cube.value(("2026", "city", "*"))


def test_the_same_figures_get_the_same_cells_hidden_however_their_codes_are_listed() -> None:
    # two processes (or two requests) that list quarters or topics in another order must hide the
    # same cells: otherwise the two publications together show what each of them hides
    cube = consistent_cube(random.Random(7), small_share=0.35)

    def reordered(dimension: Dimension) -> Dimension:
        kids = {parent: tuple(reversed(children)) for parent, children in reversed(dimension.children.items())}
        return Dimension(dimension.name, dimension.total, kids, dimension.additive)

    shuffled = Cube(tuple(reordered(d) for d in cube.dimensions), dict(reversed(list(cube.values.items()))))
    first, second = protect(cube, minimum=3), protect(shuffled, minimum=3)
    assert first.secondary, "the random city needs secondary suppression"
    assert first.hidden == second.hidden


def test_two_processes_hide_the_same_cells() -> None:
    # Python orders sets of strings differently in every process (hash randomisation): nothing
    # the choice of hidden cells depends on may follow such an order
    script = (
        "import random, sys; sys.path[:0] = sys.argv[1:]\n"
        "from test_disclosure import consistent_cube; from qn_reporting.disclosure import protect\n"
        "print(sorted(protect(consistent_cube(random.Random(7), small_share=0.35), minimum=3).hidden))"
    )
    here = str(Path(__file__).parent)
    runs = {
        subprocess.run(
            [sys.executable, "-c", script, here, str(Path(here).parents[2] / "tests")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1, "the hidden cells depend on the process's hash seed"


def test_when_no_pattern_is_found_in_time_every_nonzero_cell_is_hidden_and_none_is_given_away() -> None:
    # the greedy search gave up on 24 of Berlin's areas and the public table answered 500; now the
    # table is withheld instead (only its empty cells show), which the attack cannot narrow
    cube = consistent_cube(random.Random(1), small_share=0.35)
    protected = protect(cube, minimum=3, max_rounds=1)
    assert protected.withheld
    assert all(protected.shown(key) is None for key, value in cube.values.items() if value)
    found = attack(published(protected, cube), trees(MONTHS, PLACES, TOPICS))
    assert all(kept_promise(*found[key], cube.value(key), 3) for key in protected.primary)
    assert not protect(cube, minimum=3).withheld, "with rounds enough, the same cube gets a real pattern"


def test_a_larger_minimum_hides_more_and_still_holds() -> None:
    cube = consistent_cube(random.Random(3), small_share=0.2)
    three, five = protect(cube, minimum=3), protect(cube, minimum=5)
    assert three.primary < five.primary
    found = attack(published(five, cube), trees(MONTHS, PLACES, TOPICS))
    assert all(kept_promise(*found[key], cube.value(key), 5) for key in five.primary)


def test_zeros_and_large_counts_are_shown_as_they_are() -> None:
    months = Dimension.flat("month", "Q1", ("01", "02", "03"))
    places = Dimension.flat("place", "city", ("nord", "sued"))
    leaves = {("01", "nord"): 0, ("02", "nord"): 9, ("03", "nord"): 12, ("01", "sued"): 7, ("02", "sued"): 0}
    values = {**leaves, ("Q1", "nord"): 21, ("Q1", "sued"): 7, ("01", "city"): 7, ("02", "city"): 9}
    cube = Cube((months, places), {**values, ("03", "city"): 12, ("Q1", "city"): 28})
    protected = protect(cube, minimum=3)
    assert not protected.primary and not protected.secondary
    assert all(protected.shown(key) == cube.value(key) for key in cube.cells())


def test_no_share_on_a_base_below_the_minimum_or_on_a_hidden_base() -> None:
    assert safe_share(1, 2, minimum=3) is None
    assert safe_share(1, None, minimum=3) is None
    assert safe_share(None, 40, minimum=3) is None
    assert safe_share(10, 40, minimum=3) == 0.25


def test_the_audit_prints_nothing_into_the_services_json_log(capfd: pytest.CaptureFixture[str]) -> None:
    """HiGHS 1.16 prints a banner on stdout whenever a model is made -- stdout is the JSON log."""
    cube = consistent_cube(random.Random(5), small_share=0.35)
    protect(cube, minimum=3)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
