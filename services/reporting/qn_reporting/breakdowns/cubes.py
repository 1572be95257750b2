"""The cubes the finer figures are published from, one per breakdown and year, each protected as a
whole like the count tables (`..disclosure`): every level of every dimension is in the cube, so
that no table cut from it, and no sum over its rows, gives a hidden cell away.

Dimensions: time (year ⊃ Quartals, or year ⊃ ISO weeks), place (city ⊃ districts ⊃ quarters,
all sites ⊃ sites ⊃ offers, or all targets ⊃ kinds ⊃ organisations), topic ('*' and each topic;
not additive) and detail (all ⊃ reason, outcome, signal type or kind of help). Plain functions, no database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from ..city import City
from ..disclosure import Cube, Dimension, Key, Protected
from ..figures.domain import ALL_TOPICS
from ..tables.domain import DETAIL, place_dimension, quartal_of, topic_dimension
from .domain import weeks_in
from .store import StoredBreakdown

ALL = "@all"
"""The total of the detail dimension, and of the drop-in centres' place dimension."""
SITES = "@sites"
TARGETS = "@targets"
"""All organisations referrals went to; below it each kind (`KIND` + carrier, office, team)."""
KIND = "@kind:"

Grain = Literal["quartal", "week"]
Places = Literal["quarters", "sites", "targets"]


@dataclass(frozen=True)
class Shape:
    """How a breakdown's cells become a cube."""

    grain: Grain
    places: Places
    details: bool
    """False: the detail dimension is summed away (one total code only)."""
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Details that add up to a group shown as a detail of its own: (group, its details)."""


def time_dimension(year: int, grain: Grain) -> Dimension:
    if grain == "quartal":
        return Dimension.flat("time", str(year), [f"{year}-Q{q}" for q in range(1, 5)])
    return Dimension.flat("time", str(year), [f"{year}-W{w:02d}" for w in range(1, weeks_in(year) + 1)])


def _time_leaf(period: str, grain: Grain) -> str:
    return quartal_of(period) if grain == "quartal" else period


def _in_year(period: str, year: int) -> bool:
    return period.startswith(f"{year}-")


def site_dimension(offers: Iterable[tuple[str, str]]) -> Dimension:
    """All sites ⊃ each site ⊃ its offers (`site/offer`)."""
    by_site: dict[str, list[str]] = defaultdict(list)
    for site, offer in sorted(set(offers)):
        by_site[site].append(f"{site}/{offer}")
    return Dimension("place", SITES, {SITES: tuple(by_site), **{s: tuple(o) for s, o in by_site.items()}})


def target_dimension(city: City, seen: Iterable[str]) -> Dimension:
    """All targets ⊃ each kind the city lists ⊃ its organisations that were seen; an organisation
    the city does not list stands directly under all targets."""
    kinds: dict[str, list[str]] = defaultdict(list)
    listed = {o.id: o.kind for o in city.organisations}
    loose = []
    for target in sorted(set(seen)):
        if listed.get(target):
            kinds[KIND + listed[target]].append(target)
        else:
            loose.append(target)
    children = {TARGETS: (*sorted(kinds), *loose), **{kind: tuple(ids) for kind, ids in sorted(kinds.items())}}
    return Dimension("place", TARGETS, children)


def cube_of(
    cells: Iterable[StoredBreakdown], year: int, city: City, shape: Shape, value: Callable[[StoredBreakdown], int]
) -> Cube:
    """The cube of one breakdown and year, every level summed up from the stored cells."""
    cells = [c for c in cells if _in_year(c.period, year)]
    if shape.places == "quarters":
        places = place_dimension(city, {c.place for c in cells})
    elif shape.places == "targets":
        places = target_dimension(city, {c.place for c in cells})
    else:
        places = site_dimension((c.place, c.detail) for c in cells)
    parents = {child: parent for parent, kids in places.children.items() for child in kids}
    topics = topic_dimension(c.topic for c in cells)
    details = _detail_dimension(sorted({c.detail for c in cells}) if shape.details else [], shape.groups)
    group_of = {kid: parent for parent, kids in details.children.items() if parent != ALL for kid in kids}
    values: dict[Key, int] = defaultdict(int)
    for cell in cells:
        times = (_time_leaf(cell.period, shape.grain), str(year))
        chain = [f"{cell.place}/{cell.detail}" if shape.places == "sites" else cell.place]
        while chain[-1] in parents:
            chain.append(parents[chain[-1]])
        kinds: tuple[str, ...] = (cell.detail, ALL) if shape.details else (ALL,)
        if shape.details and cell.detail in group_of:
            kinds = (cell.detail, group_of[cell.detail], ALL)
        for time in times:
            for place in chain:
                for detail in kinds:
                    values[(time, place, cell.topic, detail)] += value(cell)
    return Cube((time_dimension(year, shape.grain), places, topics, details), dict(values))


def _detail_dimension(seen: list[str], groups: tuple[tuple[str, tuple[str, ...]], ...]) -> Dimension:
    """All ⊃ the groups with a seen detail ⊃ their details, and the seen details in no group."""
    if not seen:
        return Dimension.flat("detail", ALL, [])
    grouped = {group: tuple(d for d in members if d in seen) for group, members in groups}
    grouped = {group: members for group, members in grouped.items() if members}
    inside = {d for members in grouped.values() for d in members}
    return Dimension("detail", ALL, {ALL: (*grouped, *(d for d in seen if d not in inside)), **grouped})


def table_view(table: Protected, year: int) -> Protected:
    """A count table's protected cube (`..tables.domain`: months ⊂ Quartals ⊂ year × places ×
    topics and details) at a figure's levels and keyed as the figures key their cells -- (Quartal
    or year, place, '*', detail) -- with the same cells hidden: the figure shows a part of what
    the tables show, so the two together show nothing either does not."""
    quartals = [f"{year}-Q{q}" for q in range(1, 5)]
    times = {str(year), *quartals}

    def key_of(key: Key) -> Key | None:
        time, place, facet = key
        if time not in times:
            return None
        if facet.startswith(DETAIL):
            return (time, place, ALL_TOPICS, facet.removeprefix(DETAIL))
        # the topics are the tables' to show: a figure of a city of hundreds of areas stays small
        return (time, place, facet, ALL) if facet == ALL_TOPICS else None

    def mapped(keys: Iterable[Key]) -> frozenset[Key]:
        return frozenset(k for k in map(key_of, keys) if k is not None)

    values = {k: v for key, v in table.cube.values.items() if (k := key_of(key)) is not None}
    places, facets = table.cube.dimensions[1], table.cube.dimensions[2]

    def code(facet: str) -> str:
        return ALL if facet == ALL_TOPICS else facet.removeprefix(DETAIL)

    details = {code(parent): tuple(map(code, kids)) for parent, kids in facets.children.items()}
    dimensions = (
        Dimension.flat("time", str(year), quartals),
        places,
        Dimension.flat("topic", ALL_TOPICS, []),
        Dimension("detail", ALL, details),
    )
    return Protected(
        Cube(dimensions, values), table.minimum, mapped(table.primary), mapped(table.secondary), table.withheld
    )
