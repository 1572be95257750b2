"""What a period report holds, cut from the published tables only (`..tables`): per figure the
quarters, districts and the city in the period and the one before, with the change; concerns by
topic. So the report shows nothing the public tables would not, with the same "." in the same
cells. A new figure joins the report by a line in `SECTIONS`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..breakdowns.cubes import ALL
from ..breakdowns.handlers import ProtectedBreakdowns, get_figure
from ..disclosure.protect import CannotProtect
from ..figures.catalogue import COUNTS
from ..tables import domain
from ..tables.handlers import ProtectedCubes, Table, get_table
from .period import Period, change_percent

SECTIONS: tuple[str, ...] = (
    "concern.recorded",
    "referral.requested",
    "signal.raised",
    "help.requested",
    "assignment.completed",
    "occurrence.attended",
)
"""The count metrics of the report, in order; figures of `COUNTS` only (the protected tables)."""
BY_TOPIC = "concern.recorded"
"""The figure the report also breaks down by topic, city-wide."""


@dataclass(frozen=True)
class Line:
    place: str
    """Quarter id, `@district:<id>` or `@city` (see `..tables.domain`)."""
    label: str
    level: str
    """`quarter`, `district` or `city`: how the line is set."""
    current: int | None
    previous: int | None
    change: int | None
    """Percent; None where no change is stated."""


@dataclass(frozen=True)
class Section:
    metric: str
    label: str
    lines: list[Line]
    protectable: bool = True
    """False when the office could not protect the figure's tables: then nothing of it is shown."""


@dataclass(frozen=True)
class Report:
    period: Period
    previous: Period
    city: str
    minimum: int
    sections: list[Section]
    topics: list[Line]
    """Concerns by topic (city-wide), `place` holding the topic code."""
    fingerprint: str
    """Changes whenever any figure shown changes: one announcement per version."""

    @property
    def hidden(self) -> int:
        lines = [line for section in self.sections for line in section.lines] + self.topics
        return sum((line.current is None) + (line.previous is None) for line in lines)


def _cells(cubes: ProtectedCubes, session: Session, metric: str, period: Period, by_topic: bool) -> Table | None:
    try:
        return get_table(
            cubes,
            session,
            metric=metric,
            year=period.year,
            time=period.level,
            place=domain.PlaceLevel.CITY if by_topic else domain.PlaceLevel.QUARTER,
            by_topic=by_topic,
        )
    except CannotProtect:
        return None


def _values(table: Table | None, period: Period, places: bool) -> dict[str, int | None] | None:
    """Value by place (or topic) in the period; None when the figure could not be protected."""
    if table is None:
        return None
    return {(c.place if places else c.topic): c.value for c in table.cells if c.time == period.code}


def _get(values: dict[str, int | None] | None, key: str) -> int | None:
    """A cell the table lacks had no event (0); a figure that could not be protected shows '.'."""
    return None if values is None else values.get(key, 0)


def _place_rows(cubes: ProtectedCubes, labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """The city, each district with its quarters, and what stands outside any district."""
    rows = [(domain.CITY, labels[domain.CITY], "city")]
    for district, quarters in cubes.city.districts().items():
        rows.append((domain.DISTRICT + district, district.replace("-", " ").title(), "district"))
        rows += [(q, cubes.city.label(q), "quarter") for q in quarters]
    return rows


def build(
    cubes: ProtectedCubes,
    session: Session,
    period: Period,
    *,
    lang: str,
    place_labels: dict[str, str],
    breakdowns: ProtectedBreakdowns | None = None,
) -> Report:
    """The report of one period, in one language; every value from the protected tables, and
    the unmet need and the drop-in centres' attendance from their published figures (when
    `breakdowns` is given)."""
    previous = period.previous()
    minimum = cubes.minimum
    sections = []
    digest = hashlib.sha256(f"{period.code}|{minimum}".encode())
    for metric in SECTIONS:
        now = _cells(cubes, session, metric, period, by_topic=False)
        before = _cells(cubes, session, metric, previous, by_topic=False)
        if now is None:
            sections.append(Section(metric, COUNTS[metric].label(lang), [], protectable=False))
            digest.update(f"|{metric}:unprotectable".encode())
            continue
        # quarter rows come from the quarter-level table, district and city rows from coarser cuts
        now_quarters, now_coarse = _values(now, period, True), _district_and_city(cubes, session, metric, period)
        before_quarters = _values(before, previous, True)
        before_coarse = _district_and_city(cubes, session, metric, previous)
        lines = []
        for place, label, level in _place_rows(cubes, place_labels) + _loose(now, cubes, place_labels):
            coarse = level != "quarter"
            value = _get(now_coarse if coarse else now_quarters, place)
            prior = _get(before_coarse if coarse else before_quarters, place)
            lines.append(Line(place, label, level, value, prior, change_percent(prior, value, minimum)))
        digest.update(f"|{metric}:{[(line.place, line.current, line.previous) for line in lines]}".encode())
        sections.append(Section(metric, COUNTS[metric].label(lang), lines))
    for figure, column, labels in FIGURE_SECTIONS if breakdowns is not None else ():
        section = _figure_section(
            breakdowns, session, figure, column, labels[lang], period, previous, cubes, place_labels
        )
        digest.update(f"|{figure}:{[(line.place, line.current, line.previous) for line in section.lines]}".encode())
        sections.append(section)
    topics = _topic_lines(cubes, session, period, previous, minimum)
    digest.update(f"|topics:{[(line.place, line.current, line.previous) for line in topics]}".encode())
    return Report(period, previous, cubes.city.name, minimum, sections, topics, digest.hexdigest())


FIGURE_SECTIONS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "unmet_need",
        "referrals",
        {
            "de": "Ungedeckter Bedarf (abgelehnte und gescheiterte Weiterleitungen)",
            "en": "Unmet need (declined and failed referrals)",
        },
    ),
    (
        "attendance",
        "attendance",
        {"de": "Teilnehmende in den Angebotstreffs", "en": "Attendance at the drop-in centres"},
    ),
)
"""Sections cut from a published finer figure: (figure, column, label). Their years hold Quartals
and the year, as a report's periods are."""


def _figure_section(
    breakdowns: ProtectedBreakdowns,
    session: Session,
    figure: str,
    column: str,
    label: str,
    period: Period,
    previous: Period,
    cubes: ProtectedCubes,
    place_labels: dict[str, str],
) -> Section:
    """One column of a finer figure (all topics, all details) per quarter, district and city, in
    the period and the one before: the figure's published cells, "." included."""
    try:
        values = {
            p.code: {
                row.place: row.values[column]
                for row in get_figure(breakdowns, session, name=figure, year=p.year).rows
                if row.time == p.code and row.topic == "*" and row.detail == ALL
            }
            for p in (period, previous)
        }
    except CannotProtect:
        return Section(figure, label, [], protectable=False)
    lines = []
    for place, name, level in _place_rows(cubes, place_labels):
        # a place without a row had no such event (rows of zeros are left out): 0
        now, before = (
            None if v is None else int(v)
            for v in (values[period.code].get(place, 0), values[previous.code].get(place, 0))
        )
        lines.append(Line(place, name, level, now, before, change_percent(before, now, cubes.minimum)))
    return Section(figure, label, lines)


def _district_and_city(
    cubes: ProtectedCubes, session: Session, metric: str, period: Period
) -> dict[str, int | None] | None:
    try:
        table = get_table(
            cubes,
            session,
            metric=metric,
            year=period.year,
            time=period.level,
            place=domain.PlaceLevel.DISTRICT,
            by_topic=False,
        )
        city = get_table(
            cubes,
            session,
            metric=metric,
            year=period.year,
            time=period.level,
            place=domain.PlaceLevel.CITY,
            by_topic=False,
        )
    except CannotProtect:
        return None
    return {**(_values(table, period, True) or {}), **(_values(city, period, True) or {})}


def _loose(table: Table, cubes: ProtectedCubes, names: dict[str, str]) -> list[tuple[str, str, str]]:
    """Places outside every district (events without a quarter, unknown quarters)."""
    loose = sorted({c.place for c in table.cells} - {q.id for q in cubes.city.quarters})
    return [(p, names.get(p, p), "quarter") for p in loose]


def _topic_lines(cubes: ProtectedCubes, session: Session, period: Period, previous: Period, minimum: int) -> list[Line]:
    now = _values(_cells(cubes, session, BY_TOPIC, period, by_topic=True), period, False)
    before = _values(_cells(cubes, session, BY_TOPIC, previous, by_topic=True), previous, False)
    topics = sorted((set(now or {}) | set(before or {})) - {"*"})
    return [
        Line(t, t, "topic", _get(now, t), _get(before, t), change_percent(_get(before, t), _get(now, t), minimum))
        for t in topics
    ]
