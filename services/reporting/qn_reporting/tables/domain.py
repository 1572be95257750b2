"""The published tables of one metric and year: the cube they are cut from, and the cuts.

Time: months ⊂ Quartal ⊂ year. Place: quarter ⊂ district ⊂ city (events without a quarter, and
quarters the city file does not name, count toward the city only). Topic: each topic and '*'
(all topics, each event once) -- not additive, since an event may carry several topics; beside
the topics, a metric with details (`details.DETAILS`: channels, kinds of help) splits '*' into
them, and they add up. Every table of a year is cut from one protected cube, so that no two
tables together give away a hidden cell (see `..disclosure`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from qn_infra.logs import get_logger

from ..breakdowns.domain import NO_DETAIL
from ..city import City
from ..disclosure import Cube, Dimension, Key
from ..figures.domain import ALL_TOPICS
from .details import Details

log = get_logger(__name__)

CITY = "@city"
DISTRICT = "@district:"
DETAIL = "detail:"
"""Prefix of a detail's code in the cube's third dimension, apart from the topic codes."""


class TimeLevel(StrEnum):
    MONTH = "month"
    QUARTAL = "quartal"
    YEAR = "year"


class PlaceLevel(StrEnum):
    QUARTER = "quarter"
    DISTRICT = "district"
    CITY = "city"


@dataclass(frozen=True)
class StoredCell:
    month: str  # YYYY-MM
    quarter_id: str
    topic: str
    n: int


def time_dimension(year: int) -> Dimension:
    quartals = {f"{year}-Q{q}": tuple(f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)) for q in range(1, 5)}
    return Dimension("time", str(year), {str(year): tuple(quartals), **quartals})


def place_dimension(city: City, seen_quarters: Iterable[str]) -> Dimension:
    districts = city.districts()
    configured = {q for quarters in districts.values() for q in quarters}
    loose = sorted(set(seen_quarters) - configured)  # '' (no quarter) and unknown ones
    children: dict[str, tuple[str, ...]] = {CITY: (*(DISTRICT + d for d in districts), *loose)}
    children |= {DISTRICT + district: quarters for district, quarters in districts.items()}
    return Dimension("place", CITY, children)


def topic_dimension(topics: Iterable[str], details: dict[str, tuple[str, ...]] | None = None) -> Dimension:
    """'*' covered by the topics (not additive) and, given a detail tree, split into the details."""
    covered = sorted(set(topics) - {ALL_TOPICS})
    tree = {
        (ALL_TOPICS if parent == ALL_TOPICS else DETAIL + parent): tuple(DETAIL + kid for kid in kids)
        for parent, kids in (details or {}).items()
    }
    return Dimension("topic", ALL_TOPICS, tree, covers={ALL_TOPICS: tuple(covered)} if covered else {})


def topic_codes(dimension: Dimension) -> tuple[str, ...]:
    """'*' and the topics (the cube's third dimension without its details)."""
    return (dimension.total, *dimension.covers.get(dimension.total, ()))


def detail_codes(dimension: Dimension) -> tuple[str, ...]:
    """The details of the third dimension, groups before their codes (prefix removed)."""
    return tuple(code.removeprefix(DETAIL) for code in dimension.codes if code.startswith(DETAIL))


def quartal_of(month: str) -> str:
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def cube_of(
    cells: Iterable[StoredCell],
    year: int,
    city: City,
    details: Iterable[StoredCell] = (),
    spec: Details | None = None,
) -> Cube:
    """Every cell of every level, summed up from the stored month × quarter × topic cells and,
    for a metric with details, the month × quarter × detail cells (`topic` holding the code)."""
    cells = [c for c in cells if c.month.startswith(f"{year}-")]
    tree = None
    if spec is not None:
        split = _split(cells, [d for d in details if d.month.startswith(f"{year}-")])
        tree = spec.tree({c.topic for c in split})
        group_of = {kid: parent for parent, kids in tree.items() if parent != ALL_TOPICS for kid in kids}
        for c in split:  # a detail, and the group it is in
            cells.append(StoredCell(c.month, c.quarter_id, DETAIL + c.topic, c.n))
            if c.topic in group_of:
                cells.append(StoredCell(c.month, c.quarter_id, DETAIL + group_of[c.topic], c.n))
    places = place_dimension(city, {c.quarter_id for c in cells})
    place_parents = {child: parent for parent, kids in places.children.items() for child in kids}
    values: dict[Key, int] = defaultdict(int)
    for cell in cells:
        times = (cell.month, quartal_of(cell.month), str(year))
        chain = [cell.quarter_id]
        while chain[-1] in place_parents:
            chain.append(place_parents[chain[-1]])
        for time in times:
            for place in chain:
                values[(time, place, cell.topic)] += cell.n
    topics = topic_dimension((c.topic for c in cells if not c.topic.startswith(DETAIL)), tree)
    return Cube((time_dimension(year), places, topics), dict(values))


def _split(totals: list[StoredCell], details: list[StoredCell]) -> list[StoredCell]:
    """The detail cells of each month and quarter, with what they leave of the total under ''
    (no detail). Where the details exceed the total -- the two are written in one transaction,
    so only a damaged database does that -- the month and quarter keep no details."""
    total = {(c.month, c.quarter_id): c.n for c in totals if c.topic == ALL_TOPICS}
    by_cell: dict[tuple[str, str], list[StoredCell]] = defaultdict(list)
    for cell in details:
        if cell.n:
            by_cell[(cell.month, cell.quarter_id)].append(cell)
    split = []
    for (month, quarter), n in total.items():
        found = by_cell.get((month, quarter), [])
        rest = n - sum(c.n for c in found)
        if rest < 0:
            log.warning("details_exceed_their_total", month=month, quarter_id=quarter, total=n)
            found, rest = [], n
        split += found
        if rest:
            split.append(StoredCell(month, quarter, NO_DETAIL, rest))
    return split


def codes_at(dimension: Dimension, level: str) -> tuple[str, ...]:
    """The codes of the time or place dimension at one level of the published tables. Places
    outside any district (no quarter, a quarter the city file does not name) stand at both the
    district and the quarter level, so that each level adds up to the city."""
    top = (dimension.total,)
    one_down = tuple(kid for code in top for kid in dimension.children.get(code, ()))
    two_down = tuple(kid for code in one_down for kid in dimension.children.get(code, (code,)))
    if dimension.name == "time":
        return {TimeLevel.YEAR: top, TimeLevel.QUARTAL: one_down, TimeLevel.MONTH: two_down}[TimeLevel(level)]
    return {PlaceLevel.CITY: top, PlaceLevel.DISTRICT: one_down, PlaceLevel.QUARTER: two_down}[PlaceLevel(level)]
