"""Coordinates to quarters by point in polygon, for quarters whose outline the city configured
(`polygon = [[lon, lat], ...]` in city.toml). A Kümmerer's phone or a map click gives a location;
the quarter it lies in is found with an STRtree (shapely), so even Berlin's 542 outlines answer in
microseconds. Outside every outline, or inside two that overlap, it does not guess: 422 with the
nearest quarters and how far away they are."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import Point, Polygon, STRtree

from .domain import AddressProblem

if TYPE_CHECKING:
    from ..city import City

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
NEAREST = 3


class PolygonError(ValueError):
    """A configured outline is not a usable polygon; the message names the quarter."""


class LocationProblem(AddressProblem):
    """A location that lies in no configured quarter, or in more than one."""

    code = "location_unresolved"


class QuarterPolygons:
    """The configured outlines, projected to metres around the city so that distances are real."""

    def __init__(self, outlines: Mapping[str, Sequence[tuple[float, float]]], names: Mapping[str, str] | None = None):
        self.names = dict(names or {})
        self.ids = [quarter for quarter, outline in outlines.items() if outline]
        points = [p for quarter in self.ids for p in outlines[quarter]]
        # an equirectangular projection around the city's middle: under 0.5 % off within a city
        self._lat0 = sum(lat for _, lat in points) / len(points) if points else 0.0
        self._lon0 = sum(lon for lon, _ in points) / len(points) if points else 0.0
        self._x_scale = METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(self._lat0))
        self._shapes = np.array([self._polygon(q, outlines[q]) for q in self.ids], dtype=object)
        self._tree = STRtree(self._shapes)

    @classmethod
    def from_city(cls, city: City) -> QuarterPolygons:
        quarters = city.quarters.values()
        return cls({q.id: q.polygon for q in quarters if q.polygon}, {q.id: q.name for q in quarters})

    def __len__(self) -> int:
        return len(self.ids)

    def _project(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self._lon0) * self._x_scale, (lat - self._lat0) * METRES_PER_DEGREE_LAT

    def _polygon(self, quarter: str, outline: Sequence[tuple[float, float]]) -> Polygon:
        for lon, lat in outline:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise PolygonError(f"quarter {quarter!r}: ({lon}, {lat}) is not a [longitude, latitude] pair")
        shape = Polygon([self._project(lon, lat) for lon, lat in outline])
        if not shape.is_valid or shape.area == 0:
            reason = shapely.is_valid_reason(shape)
            raise PolygonError(f"quarter {quarter!r}: the polygon crosses itself or has no area ({reason})")
        return shape

    def quarter_at(self, lon: float, lat: float, *, field: str = "location") -> str:
        """The quarter whose outline covers the point (its border included); `LocationProblem`
        (422) with the nearest quarters when none or several do."""
        _check_coordinates(lon, lat, field)
        point = Point(self._project(lon, lat))
        hits = self._tree.query(point, predicate="covered_by")
        if len(hits) == 1:
            return self.ids[int(hits[0])]
        if len(hits) > 1:
            found = sorted(self.ids[int(i)] for i in hits)
            raise LocationProblem(
                f"Der Ort liegt auf der Grenze mehrerer Quartiere ({', '.join(found)}); bitte das Quartier wählen.",
                f"The location lies on the border of several quarters ({', '.join(found)}); please choose the quarter.",
                field=field,
                candidates=[self._candidate(q, 0.0) for q in found],
            )
        raise self._outside(point, lon, lat, field)

    def _outside(self, point: Point, lon: float, lat: float, field: str) -> LocationProblem:
        if not self.ids:
            return LocationProblem(
                "Für diese Stadt sind keine Quartiersgrenzen hinterlegt; bitte Adresse oder Quartier angeben.",
                "This city has no quarter outlines configured; please give an address or a quarter.",
                field=field,
                candidates=[],
            )
        distances = shapely.distance(point, self._shapes)
        nearest = [self._candidate(self.ids[int(i)], float(distances[i])) for i in np.argsort(distances)[:NEAREST]]
        hint_de = hint_en = ""
        if -90 <= lon <= 90 and len(self._tree.query(Point(self._project(lat, lon)), predicate="covered_by")):
            hint_de, hint_en = " Breite und Länge vertauscht?", " Latitude and longitude swapped?"
        metres = nearest[0]["distance_m"]
        return LocationProblem(
            f"Der Ort (Breite {lat:.5f}, Länge {lon:.5f}) liegt in keinem Quartier; das nächste ist "
            f"{f'{metres:,}'.replace(',', '.')} m entfernt.{hint_de}",
            f"The location (latitude {lat:.5f}, longitude {lon:.5f}) lies in no quarter; the nearest is "
            f"{metres:,} m away.{hint_en}",
            field=field,
            candidates=nearest,
        )

    def _candidate(self, quarter: str, distance: float) -> dict[str, Any]:
        return {"quarter_id": quarter, "quarter_name": self.names.get(quarter), "distance_m": round(distance)}


def _check_coordinates(lon: float, lat: float, field: str) -> None:
    axes = (("lon", lon, 180, "Längengrad", "Longitude"), ("lat", lat, 90, "Breitengrad", "Latitude"))
    for name, value, limit, de, en in axes:
        if not isinstance(value, int | float) or not math.isfinite(value) or abs(value) > limit:
            raise LocationProblem(
                f"{de} {value!r} liegt nicht zwischen -{limit} und {limit}.",
                f"{en} {value!r} is not between -{limit} and {limit}.",
                field=f"{field}.{name}",
                candidates=[],
            )
