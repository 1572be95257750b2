"""The dashboard's pictures as plain geometry: bars for a series and a map of the quarters from
the city's own outlines (no map tiles, nothing fetched). Pure functions; the template draws SVG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..city import Quarter

WIDTH, HEIGHT = 640, 240
# five classes from light to dark, distinguishable in greyscale and with contrast >= 3:1 to white
# for the darker three (WCAG 1.4.11); the legend names each class, colour is never the only cue
CLASSES = ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b")
HIDDEN_FILL = "url(#hidden)"


CHAR_WIDTH = 6.5
"""About how wide a character of the bars' labels is, in the chart's units (the labels' font)."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    x: float
    y: float
    width: float
    height: float

    @property
    def short(self) -> str:
        """The label as it fits under its bar (the slot: the bar and the gaps beside it), cut with
        "…" where longer -- the table beside the chart names it in full."""
        fits = max(3, int(self.width / 0.7 / CHAR_WIDTH))
        if len(self.label) <= fits:
            return self.label
        cut = self.label[: fits - 1]
        if cut.rfind(" ") >= fits // 2:  # at a word's end where that keeps most of it
            cut = cut[: cut.rfind(" ")]
        return cut.rstrip() + "…"


def bars(series: Sequence[tuple[str, int | None]], *, width: int = WIDTH, height: int = HEIGHT) -> list[Bar]:
    """One bar per (label, value); a hidden value (None) gets a zero-height bar and its "." label."""
    top = max([v for _, v in series if v is not None] or [1]) or 1
    slot = width / max(len(series), 1)
    room = height - 40  # 20 below for the period, 20 above the tallest bar for its value
    found = []
    for index, (label, value) in enumerate(series):
        h = 0.0 if value is None else room * value / top
        found.append(Bar(label, value, index * slot + slot * 0.15, height - 20 - h, slot * 0.7, h))
    return found


@dataclass(frozen=True)
class Area:
    quarter_id: str
    name: str
    value: int | None
    path: str
    fill: str
    label_x: float
    label_y: float


def class_breaks(values: Sequence[int]) -> list[int]:
    """Upper bounds of the colour classes: equal steps up to the largest value."""
    top = max(values or [1]) or 1
    return [math.ceil(top * (i + 1) / len(CLASSES)) for i in range(len(CLASSES))]


def fill_for(value: int | None, breaks: Sequence[int]) -> str:
    if value is None:
        return HIDDEN_FILL
    return next((CLASSES[i] for i, bound in enumerate(breaks) if value <= bound), CLASSES[-1])


def areas(
    quarters: Sequence[Quarter], values: dict[str, int | None], *, width: int = WIDTH, height: int = 360
) -> list[Area]:
    """The quarters that have an outline, projected into the picture (equirectangular, with the
    longitude scaled by the cosine of the mean latitude so that the city keeps its shape)."""
    outlined = [q for q in quarters if q.polygon]
    if not outlined:
        return []
    points = [p for q in outlined for p in q.polygon]
    lat0 = sum(lat for _, lat in points) / len(points)
    scale_x = math.cos(math.radians(lat0))
    xs = [lon * scale_x for lon, _ in points]
    ys = [lat for _, lat in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    factor = min(width, height) / span * 0.95

    def project(lon: float, lat: float) -> tuple[float, float]:
        return ((lon * scale_x - min(xs)) * factor + 10, (max(ys) - lat) * factor + 10)

    shown = [v for v in values.values() if v is not None]
    breaks = class_breaks(shown)
    found = []
    for quarter in outlined:
        projected = [project(lon, lat) for lon, lat in quarter.polygon]
        path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in projected) + " Z"
        cx = sum(x for x, _ in projected) / len(projected)
        cy = sum(y for _, y in projected) / len(projected)
        value = values.get(quarter.id)
        found.append(Area(quarter.id, quarter.name, value, path, fill_for(value, breaks), cx, cy))
    return found
