"""Use cases of the finer figures: cut a figure of one year from the protected cubes of its
breakdowns, with its freshness and, for the early warning, the flagged weeks.

Each column's cube is protected once per year and kept until its cells change, as the count
tables are (`..tables.handlers.ProtectedCubes`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..city import City
from ..disclosure import Key, Protected, protect, safe_share
from ..disclosure.perturb import Publication
from ..disclosure.protect import withhold
from ..tables.domain import CITY
from ..tables.handlers import ProtectedCubes, release
from . import store
from .catalogue import FIGURES, UNMET, Column, FigureSpec
from .cubes import ALL, SITES, TARGETS, cube_of, table_view
from .domain import Z_THRESHOLD, WeekScore, z_scores


class ProtectedBreakdowns:
    """The protected cube of each breakdown, value and year, kept while its cells do not change;
    a column that counts a table's events by Quartal and quarter takes the table's protected cube
    (`FigureSpec.cut_from_table`) from `tables`."""

    def __init__(self, city: City, publication: Publication, tables: ProtectedCubes | None = None) -> None:
        self.city = city
        self.publication = publication
        self.tables = tables or ProtectedCubes(city, publication.minimum, publication)
        self._kept: dict[tuple[str, str, int], tuple[tuple[int, ...], Protected]] = {}
        self._views: dict[tuple[str, int], tuple[Protected, Protected]] = {}
        self._lock = threading.Lock()

    def get(
        self, session: Session, spec: FigureSpec, column: Column, year: int, keep: frozenset[Key] = frozenset()
    ) -> Protected:
        """`keep`: cells another figure publishes, never hidden here (see `protect`)."""
        if column.protection == "magnitude":
            # a magnitude is shown where the number of events behind it is: the count's cube decides
            column = next(
                (c for c in spec.columns if c.breakdown == column.breakdown and c.protection == "count"), column
            )
        if spec.cut_from_table(column):
            return self._from_table(session, str(column.same_as), year)
        measure = "people" if column.protection == "people" else "count"
        key = (column.breakdown, measure, year)
        fingerprint = (*store.fingerprint(session, [column.breakdown], f"{year}-%"), *sorted(keep))
        release(session)  # not held while waiting for another thread's protection below
        with self._lock:
            kept = self._kept.get(key)
            if kept and kept[0] == fingerprint:
                return kept[1]
            cells = store.cells_of(session, column.breakdown, f"{year}-%")
            release(session)
            if measure == "people":
                cube = cube_of(cells, year, self.city, spec.shape, lambda c: c.hundredths // 100)
            else:
                cube = cube_of(cells, year, self.city, spec.shape, lambda c: c.n)
            protected = protect(cube, minimum=self.publication.minimum, keep=keep)
            self._kept[key] = (fingerprint, protected)
            return protected

    def _from_table(self, session: Session, metric: str, year: int) -> Protected:
        table = self.tables.get(session, metric, year)
        with self._lock:
            kept = self._views.get((metric, year))
            if kept is None or kept[0] is not table:
                kept = (table, table_view(table, year))
                self._views[(metric, year)] = kept
            return kept[1]


def cell_coordinates(spec: FigureSpec, column: Column, key: Key) -> tuple[str, ...]:
    """What the cell-key method keys a figure's cell by. A column that counts every event of a
    count table's metric uses that table's coordinates -- metric, period, place (all drop-in
    centres being the city), topic -- where it has no detail, so the same count gets the same
    noise in the table and in the figure; a finer cell (a reason, a kind) or a column no table
    has keys by the figure and column."""
    time, place, topic, detail = key
    if column.same_as is None:
        return (spec.name, column.name, *key)
    place = CITY if place == SITES else place
    return (column.same_as, time, place, topic) if detail == ALL else (column.same_as, time, place, topic, detail)


@dataclass(frozen=True)
class FigureRow:
    time: str
    place: str
    topic: str
    detail: str
    values: dict[str, int | float | None]
    """Column or ratio -> published value; None where hidden ('.') or, for a ratio, where its
    base is below the minimum or hidden."""


@dataclass(frozen=True)
class Flag:
    place: str
    weeks: list[WeekScore]


@dataclass(frozen=True)
class Figure:
    spec: FigureSpec
    year: int
    rows: list[FigureRow]
    minimum: int
    method: str
    hidden: int
    """Cells hidden across the figure's cubes (all levels)."""
    latest: datetime | None
    events: int
    flags: list[Flag]


def get_figure(
    breakdowns: ProtectedBreakdowns, session: Session, *, name: str, year: int, place: str | None = None
) -> Figure:
    """One figure of one year, every level of every dimension, rows with nothing in them left out;
    with `place`, only that place's rows (the dashboard's city-wide panels)."""
    spec = FIGURES[name]
    publication = breakdowns.publication
    if name == "referrals":
        protected = {c.name: _linked_to_unmet_need(breakdowns, session, spec, c, year) for c in spec.columns}
    else:
        protected = {c.name: breakdowns.get(session, spec, c, year) for c in spec.columns}
    magnitudes = {
        c.name: _magnitudes(breakdowns, session, spec, c, year) for c in spec.columns if c.protection == "magnitude"
    }
    first = protected[spec.columns[0].name]
    keys = sorted({k for p in protected.values() for k, v in p.cube.values.items() if v} | set(first.hidden))
    if place is not None:
        keys = [key for key in keys if key[1] == place]
    rows = []
    for key in keys:
        values: dict[str, int | float | None] = {}
        for column in spec.columns:
            shown = protected[column.name].shown(key) if key in protected[column.name].cube.values else 0
            coordinates = cell_coordinates(spec, column, key)
            if column.protection == "magnitude":
                values[column.name] = None if shown is None else magnitudes[column.name].get(key, 0) / 100
            else:
                values[column.name] = publication.value(shown, coordinates)
        for ratio in spec.ratios:
            part, base = values[ratio.part], values[ratio.base]
            share = safe_share(
                None if part is None else int(part), None if base is None else int(base), minimum=publication.minimum
            )
            values[ratio.name] = None if share is None else round(share, 3)
        time, place, topic, detail = key
        rows.append(FigureRow(time, place, topic, detail, values))
    latest, events = store.freshness(session, [source.spec.type for source in spec.sources])
    hidden = sum(len(p.hidden) for p in protected.values())
    method = publication.code + ("+withheld" if any(p.withheld for p in protected.values()) else "")
    flags = _flags(first, publication, spec.name) if name == "early_warning" else []
    return Figure(spec, year, rows, publication.minimum, method, hidden, latest, events, flags)


def _linked_to_unmet_need(
    breakdowns: ProtectedBreakdowns, session: Session, spec: FigureSpec, column: Column, year: int
) -> Protected:
    """The referrals by outcome, protected so that they show their one shared sum with the unmet
    need as the unmet need shows it.

    The city's declined and failed referrals (the unmet need of every reason) are the declined
    and failed ones of all recipients (`@unmet`, a detail of the referrals): the same number in
    two cubes protected apart. Shown in both, it is a published number to either's protection and
    links nothing hidden; hidden in one and shown in the other, the shown one would give it away.
    So the referrals never hide it where the unmet need shows it (`keep`), and where the unmet
    need hides it -- a Quartal of fewer than a handful of declined referrals in the whole city,
    a city's first weeks -- every cell of the referrals' year is withheld."""
    unmet_spec = FIGURES["unmet_need"]
    unmet = breakdowns.get(session, unmet_spec, unmet_spec.columns[0], year)
    times = (str(year), *(f"{year}-Q{q}" for q in range(1, 5)))
    shown = frozenset((t, TARGETS, "*", UNMET) for t in times if unmet.shown((t, CITY, "*", ALL)) is not None)
    referrals = breakdowns.get(session, spec, column, year, keep=shown)
    if any(
        (unmet.shown((t, CITY, "*", ALL)) is None) != (referrals.shown((t, TARGETS, "*", UNMET)) is None) for t in times
    ):
        return withhold(referrals.cube, referrals.minimum)
    return referrals


def _magnitudes(
    breakdowns: ProtectedBreakdowns, session: Session, spec: FigureSpec, column: Column, year: int
) -> dict[Key, int]:
    """The magnitude (hours, minutes) of every cell of the cube, in hundredths; shown only where
    the count is."""
    cells = store.cells_of(session, column.breakdown, f"{year}-%")
    return dict(cube_of(cells, year, breakdowns.city, spec.shape, lambda c: c.hundredths).values)


def _flags(protected: Protected, publication: Publication, figure: str) -> list[Flag]:
    """Per quarter, the weeks whose signal count lies `Z_THRESHOLD` deviations above the quarter's
    own weekly mean -- over the weeks up to the last one with any signal in the city. Only weeks
    whose count is published are flagged (a flag on a hidden cell would give it away)."""
    cube = protected.cube
    time, place = cube.dimensions[0], cube.dimensions[1]
    weeks = list(time.children.get(time.total, ()))
    seen = [w for w in weeks if cube.value((w, place.total, "*", ALL))]
    if not seen:
        return []
    weeks = weeks[: weeks.index(seen[-1]) + 1]
    quarters = [q for q in place.codes if q not in place.children]
    flags = []
    for quarter in quarters:
        counts = [cube.value((w, quarter, "*", ALL)) for w in weeks]
        flagged = []
        for score in z_scores(counts, weeks):
            key = (score.week, quarter, "*", ALL)
            spec = FIGURES[figure]
            shown = publication.value(protected.shown(key), cell_coordinates(spec, spec.columns[0], key))
            if score.z >= Z_THRESHOLD and shown is not None:
                flagged.append(WeekScore(score.week, shown, score.z))
        if flagged:
            flags.append(Flag(quarter, flagged))
    return flags


@dataclass(frozen=True)
class Names:
    """The public names of offers (id -> (site, title)) and sites (id -> name)."""

    offers: dict[str, tuple[str, str]]
    sites: dict[str, str]


def offer_names(session: Session) -> Names:
    """The public names that label the drop-in figures."""
    return Names(store.offer_names(session), store.site_names(session))
