"""What matching needs from the city's configuration (`city.toml`): the quarter ids, to refuse a
volunteer in a quarter that does not exist; the time zone weekly availability is meant in; and the
quarters' outlines, for a volunteer's reach: which quarters are neighbours (their outlines share a
border) and how far apart they are (between the centroids of their outlines, in km)."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
from shapely import Polygon, STRtree

DEFAULT_TIMEZONE = "Europe/Berlin"
EARTH_RADIUS_KM = 6371.0088
# outlines drawn from the same border meet within a metre or so; a border shared along at least
# a few metres makes neighbours, a shared corner does not
TOUCH_DEGREES = 1e-5
SHARED_BORDER_AREA = 1e-9


class CityConfigError(ValueError):
    """The city configuration cannot be read; the message names the file."""


class Reach:
    """How far a volunteer goes to help (stored as its code)."""

    OWN_QUARTER = "own_quarter"
    NEIGHBOURS = "neighbours"
    DISTANCE = "distance"
    ALL = (OWN_QUARTER, NEIGHBOURS, DISTANCE)


@dataclass(frozen=True)
class City:
    quarters: frozenset[str]
    """Empty when no city is configured: then any well-formed quarter id is accepted."""
    timezone: ZoneInfo
    outlines: Mapping[str, Sequence[tuple[float, float]]] = field(default_factory=dict)
    """(longitude, latitude) rings of the quarters that have one."""
    names: Mapping[str, str] = field(default_factory=dict)
    """The quarters' names, for what volunteers read (reminders, their calendar)."""

    def quarter_name(self, quarter_id: str) -> str:
        return self.names.get(quarter_id, quarter_id)

    @cached_property
    def centroids(self) -> dict[str, tuple[float, float]]:
        """(longitude, latitude) of each outline's centroid."""
        return {q: (shape.centroid.x, shape.centroid.y) for q, shape in self._shapes.items()}

    @cached_property
    def _shapes(self) -> dict[str, Polygon]:
        return {q: Polygon(ring) for q, ring in self.outlines.items() if len(ring) >= 3}

    @cached_property
    def neighbours(self) -> dict[str, frozenset[str]]:
        """For each quarter with an outline, the quarters whose outlines share a border with it."""
        ids = list(self._shapes)
        shapes = [self._shapes[q] for q in ids]
        tree = STRtree(shapes)
        found: dict[str, set[str]] = {q: set() for q in ids}
        for index, quarter in enumerate(ids):
            near = tree.query(shapes[index], predicate="dwithin", distance=TOUCH_DEGREES)
            grown = shapely.buffer(shapes[index], TOUCH_DEGREES)
            for other in near:
                if other != index and grown.intersection(shapes[other]).area > SHARED_BORDER_AREA:
                    found[quarter].add(ids[other])
        return {q: frozenset(n) for q, n in found.items()}

    def distance_km(self, a: str, b: str) -> float | None:
        """Great-circle distance between the centroids of two quarters; None if one has no outline."""
        if a == b:
            return 0.0
        if a not in self.centroids or b not in self.centroids:
            return None
        return haversine_km(self.centroids[a], self.centroids[b])

    def reaches(self, home: str, reach: str, km: float | None) -> frozenset[str]:
        """The quarters a volunteer living in `home` helps in: their own, with the neighbouring
        ones, or every quarter whose centroid is within `km` of their own quarter's."""
        return _reaches(self, home, reach, km)

    def homes_within(self, quarter: str, km: float) -> frozenset[str]:
        """Every quarter a volunteer could live in and reach `quarter` from, with a reach of at most
        `km`: the quarter, its neighbours, and those whose centroid lies within `km`."""
        return _homes_within(self, quarter, km)


def _reaches(city: City, home: str, reach: str, km: float | None) -> frozenset[str]:
    key = (home, reach, km)
    cache = city.__dict__.setdefault("_reach_cache", {})
    found = cache.get(key)
    if found is None:
        quarters = {home}
        if reach == Reach.NEIGHBOURS:
            quarters |= city.neighbours.get(home, frozenset())
        elif reach == Reach.DISTANCE and km is not None:
            quarters |= {q for q in city.centroids if (d := city.distance_km(home, q)) is not None and d <= km}
        found = cache[key] = frozenset(quarters)
    return found


def _homes_within(city: City, quarter: str, km: float) -> frozenset[str]:
    cache = city.__dict__.setdefault("_homes_cache", {})
    key = (quarter, km)
    found = cache.get(key)
    if found is None:
        homes = {quarter} | set(city.neighbours.get(quarter, frozenset()))
        homes |= {q for q in city.centroids if (d := city.distance_km(quarter, q)) is not None and d <= km}
        found = cache[key] = frozenset(homes)
    return found


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def load_city(directory: Path | None) -> City:
    """Reads quarters, outlines and time zone from `directory/city.toml`; no directory means no check."""
    if directory is None or str(directory) in ("", "."):
        return City(frozenset(), ZoneInfo(DEFAULT_TIMEZONE))
    path = Path(directory) / "city.toml"
    if not path.is_file():
        raise CityConfigError(f"{path}: not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        timezone = ZoneInfo(raw.get("timezone", DEFAULT_TIMEZONE))
        outlines = {
            str(q["id"]): [(float(lon), float(lat)) for lon, lat in q["polygon"]]
            for q in raw.get("quarters", [])
            if "id" in q and q.get("polygon")
        }
    except (tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise CityConfigError(f"{path}: {exc}") from exc
    quarters = frozenset(str(q["id"]) for q in raw.get("quarters", []) if "id" in q)
    names = {str(q["id"]): str(q["name"]) for q in raw.get("quarters", []) if "id" in q and q.get("name")}
    return City(quarters, timezone, outlines, names)
