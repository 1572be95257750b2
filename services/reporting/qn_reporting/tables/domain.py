"""The published tables of one metric and year: the cube they are cut from, and the cuts.

Time: months ⊂ Quartal ⊂ year. Place: quarter ⊂ district ⊂ city (events without a quarter, and
quarters the city file does not name, count toward the city only). Topic: each topic and '*'
(all topics, each event once) -- not additive, since an event may carry several topics. Every
table of a year is cut from one protected cube, so that no two tables together give away a
hidden cell (see `..disclosure`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..city import City
from ..disclosure import Cube, Dimension, Key
from ..figures.domain import ALL_TOPICS

CITY = "@city"
DISTRICT = "@district:"


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


def topic_dimension(topics: Iterable[str]) -> Dimension:
    return Dimension.flat("topic", ALL_TOPICS, sorted(set(topics) - {ALL_TOPICS}), additive=False)


def quartal_of(month: str) -> str:
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def cube_of(cells: Iterable[StoredCell], year: int, city: City) -> Cube:
    """Every cell of every level, summed up from the stored month × quarter × topic cells."""
    cells = [c for c in cells if c.month.startswith(f"{year}-")]
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
    return Cube((time_dimension(year), places, topic_dimension(c.topic for c in cells)), dict(values))


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
