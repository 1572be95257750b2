"""Use cases of the published tables: cut a table from the protected cube of its metric and year.

Protecting a cube takes linear programs; it is done once per metric and year and kept until the
cells of that year change (a cheap count-and-sum tells), so a reader of the dashboard pays for it
only after new events arrived."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..breakdowns import store as breakdowns
from ..city import City
from ..disclosure import Protected, protect
from ..disclosure.perturb import Publication
from ..figures.domain import ALL_TOPICS
from ..figures.models import CountCell
from . import domain
from .details import DETAILS


@dataclass(frozen=True)
class TableCell:
    time: str
    place: str
    topic: str
    value: int | None
    """None when hidden."""
    primary: bool
    """Hidden because it is small itself (not only to protect another)."""
    detail: str = ALL_TOPICS
    """A detail's code (a channel, a kind of help; `topic` then '*'), or '*'."""


@dataclass(frozen=True)
class Table:
    metric: str
    year: int
    time: domain.TimeLevel
    place: domain.PlaceLevel
    cells: list[TableCell]
    minimum: int
    hidden_in_year: int
    """How many cells of the year's whole table family are hidden (all levels)."""
    method: str = "primary_and_secondary_suppression"
    """The protection, as `Publication.code` names it."""


def release(session: Session) -> None:
    """Ends the session's read transaction before a cube is protected: the connection goes back
    to the pool for the seconds or minutes the linear programs take (SQLite has one connection,
    which the consumers, the relay and the readiness check need meanwhile). Reads only happened;
    the session begins anew when next used."""
    session.rollback()


class ProtectedCubes:
    """The protected cube of each metric and year, kept while its cells do not change."""

    def __init__(self, city: City, minimum: int, publication: Publication | None = None) -> None:
        self.city = city
        self.minimum = minimum
        self.publication = publication or Publication(minimum=minimum)
        """Rounding or cell-key noise on the shown cells, if the office chose one."""
        self._kept: dict[tuple[str, int], tuple[tuple[int, ...], Protected]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, metric: str, year: int) -> Protected:
        in_year = (CountCell.metric == metric) & CountCell.month.like(f"{year}-%")
        # cells only ever grow, except when a site's bookings move from no quarter ('') to the
        # site's quarter: the sum weighted by the quarter id's length tells that move too
        weighted = func.coalesce(func.sum(CountCell.n * func.length(CountCell.quarter_id)), 0)
        summary = select(func.count(), func.coalesce(func.sum(CountCell.n), 0), weighted).where(in_year)
        fingerprint = tuple(int(v) for v in session.execute(summary).one())
        spec = DETAILS.get(metric)
        if spec is not None:
            fingerprint += breakdowns.fingerprint(session, [spec.breakdown], f"{year}-%")
        release(session)  # not held while waiting for another thread's protection below
        with self._lock:
            kept = self._kept.get((metric, year))
            if kept and kept[0] == fingerprint:
                return kept[1]
            stored = select(CountCell.month, CountCell.quarter_id, CountCell.topic, CountCell.n).where(in_year)
            cells = [domain.StoredCell(*row) for row in session.execute(stored)]
            details = []
            if spec is not None:
                found = breakdowns.cells_of(session, spec.breakdown, f"{year}-%")
                details = [domain.StoredCell(c.period, c.place, c.detail, c.n) for c in found if c.topic == ALL_TOPICS]
            release(session)
            cube = domain.cube_of(cells, year, self.city, details, spec)
            protected = protect(cube, minimum=self.minimum)
            self._kept[(metric, year)] = (fingerprint, protected)
            return protected


def get_table(
    cubes: ProtectedCubes,
    session: Session,
    *,
    metric: str,
    year: int,
    time: domain.TimeLevel,
    place: domain.PlaceLevel,
    by_topic: bool,
    by_detail: bool = False,
) -> Table:
    """The table at one time and place level: all topics, and each topic or each detail if asked.
    A detail's cell is keyed for the cell-key method as the figures key it (`..breakdowns.handlers.
    cell_coordinates`): the same count gets the same noise in the table and in the figure."""
    protected = cubes.get(session, metric, year)
    dims = protected.cube.dimensions
    topics = domain.topic_codes(dims[2]) if by_topic else (dims[2].total,)
    facets = [(topic, ALL_TOPICS) for topic in topics]
    if by_detail:
        facets += [(domain.DETAIL + code, code) for code in domain.detail_codes(dims[2])]
    publish = cubes.publication.value

    def coordinates(t: str, p: str, facet: str, detail: str) -> tuple[str, ...]:
        return (metric, t, p, facet) if detail == ALL_TOPICS else (metric, t, p, ALL_TOPICS, detail)

    cells = [
        TableCell(
            t,
            p,
            ALL_TOPICS if detail != ALL_TOPICS else facet,
            publish(protected.shown((t, p, facet)), coordinates(t, p, facet, detail)),
            (t, p, facet) in protected.primary,
            detail,
        )
        for t in domain.codes_at(dims[0], time)
        for p in domain.codes_at(dims[1], place)
        for facet, detail in facets
    ]
    method = cubes.publication.code + ("+withheld" if protected.withheld else "")
    return Table(metric, year, time, place, cells, protected.minimum, len(protected.hidden), method)
