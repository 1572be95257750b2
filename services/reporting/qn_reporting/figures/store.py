"""Reading and writing the aggregate tables, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .domain import NO_QUARTER, Cell, FigureQuery, Tally
from .models import CountCell, SiteQuarter, SumCell, UnplacedCell

COUNTS: Table = CountCell.__table__  # type: ignore[assignment]
SUMS: Table = SumCell.__table__  # type: ignore[assignment]
SITES: Table = SiteQuarter.__table__  # type: ignore[assignment]
UNPLACED: Table = UnplacedCell.__table__  # type: ignore[assignment]
KEY = ("metric", "month", "quarter_id", "topic")


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


@cache
def _upsert(dialect: str, table: Table, column: str) -> Any:
    """`INSERT ... ON CONFLICT DO UPDATE SET value = value + excluded.value`, built once per
    dialect and table: executed with a list of rows, SQLAlchemy compiles it once and reuses it
    (a multi-row `.values([...])` would be compiled again on every call)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(KEY) if table is not UNPLACED else ["site_id", "kind", "metric", "month", "topic"],
        set_={column: table.c[column] + statement.excluded[column]},
    )


def _add(session: Session, table: Table, column: str, cells: Mapping[Cell, int]) -> None:
    """Adds to each cell, creating it if new. One statement; rows sorted by key, so that
    concurrent consumers on PostgreSQL lock rows in the same order and cannot deadlock."""
    if not cells:
        return
    session.connection().execute(_upsert(session.get_bind().dialect.name, table, column), cell_rows(cells, column))


def cell_rows(cells: Mapping[Cell, int], column: str) -> list[dict[str, Any]]:
    """Rows of a count or sum table (`column`: n or hundredths), sorted by key."""
    return [
        {"metric": c.metric, "month": c.month, "quarter_id": c.quarter_id, "topic": c.topic, column: n}
        for c, n in sorted(cells.items())
    ]


def unplaced_rows(unplaced: Mapping[tuple[str, str, Cell], int]) -> list[dict[str, Any]]:
    """Rows of the unplaced table from (site, kind, quarter-less cell) -> value, sorted by key."""
    return [
        {"site_id": site, "kind": kind, "metric": c.metric, "month": c.month, "topic": c.topic, "value": n}
        for (site, kind, c), n in sorted(unplaced.items())
    ]


def add(session: Session, tally: Tally) -> None:
    """Adds one tally, in the caller's transaction."""
    _add(session, COUNTS, "n", tally.counts)
    _add(session, SUMS, "hundredths", tally.sums)


@dataclass
class Fold:
    """What a batch of events adds, summed up in memory so that each cell is written once."""

    counts: dict[Cell, int] = field(default_factory=dict)
    sums: dict[Cell, int] = field(default_factory=dict)
    unplaced: dict[tuple[str, str, Cell], int] = field(default_factory=dict)
    """(site, kind, quarter-less cell) -> value, for events of sites not yet placed."""

    def add(self, tally: Tally) -> None:
        for target, cells in ((self.counts, tally.counts), (self.sums, tally.sums)):
            for cell, n in cells.items():
                target[cell] = target.get(cell, 0) + n

    def hold(self, site_id: str, tally: Tally) -> None:
        for kind, cells in (("count", tally.counts), ("sum", tally.sums)):
            for cell, n in cells.items():
                key = (site_id, kind, cell)
                self.unplaced[key] = self.unplaced.get(key, 0) + n

    def clear(self) -> None:
        self.counts.clear()
        self.sums.clear()
        self.unplaced.clear()


def flush(session: Session, fold: Fold) -> None:
    """Writes what the fold holds, each cell once, and empties it."""
    add(session, Tally(fold.counts, fold.sums))
    if fold.unplaced:
        statement = _upsert(session.get_bind().dialect.name, UNPLACED, "value")
        session.connection().execute(statement, unplaced_rows(fold.unplaced))
    fold.clear()


def known_site_quarter(session: Session, site_id: str) -> str | None:
    """The site's quarter, if a `site.updated` placed it (a plain read, no lock)."""
    return session.execute(select(SITES.c.quarter_id).where(SITES.c.site_id == site_id)).scalar_one_or_none()


def claim_site(session: Session, site_id: str) -> str | None:
    """Locks the site's row (creating it without a quarter) and returns its committed quarter.
    `place_site` takes the same row lock first, so on PostgreSQL one of two concurrent
    transactions waits for the other: an event is either counted in the site's quarter or held
    as unplaced where `place_site` will find it -- never lost between the two."""
    statement = _insert(session)(SITES).values(site_id=site_id, quarter_id=None)
    statement = statement.on_conflict_do_update(
        index_elements=["site_id"], set_={"quarter_id": SITES.c.quarter_id}
    ).returning(SITES.c.quarter_id)
    return session.execute(statement).scalar_one()


def place_site(session: Session, site_id: str, quarter_id: str) -> None:
    """Records the site's quarter and moves what its earlier events added to the quarter-less
    cells over to that quarter."""
    statement = _insert(session)(SITES).values(site_id=site_id, quarter_id=quarter_id)
    session.execute(statement.on_conflict_do_update(index_elements=["site_id"], set_={"quarter_id": quarter_id}))
    unplaced = session.execute(select(UNPLACED).where(UNPLACED.c.site_id == site_id)).all()
    if not unplaced:
        return
    moves: dict[str, dict[Cell, int]] = {"count": {}, "sum": {}}
    for row in unplaced:
        moves[row.kind][Cell(row.metric, row.month, NO_QUARTER, row.topic)] = -row.value
        moves[row.kind][Cell(row.metric, row.month, quarter_id, row.topic)] = row.value
    add(session, Tally(moves["count"], moves["sum"]))
    session.execute(delete(UNPLACED).where(UNPLACED.c.site_id == site_id))


@dataclass(frozen=True)
class FigureRow:
    month: str | None
    quarter_id: str | None
    topic: str | None
    value: int
    """A count, or a sum in hundredths."""


def figure_rows(session: Session, query: FigureQuery) -> list[FigureRow]:
    """The figures a query asks for, one row per combination of its `group_by` dimensions."""
    table, column = (COUNTS, "n") if query.kind == "count" else (SUMS, "hundredths")
    dims = [table.c[d] for d in query.group_by]
    statement = select(*dims, func.sum(table.c[column])).where(table.c.metric == query.metric)
    if query.first_month:
        statement = statement.where(table.c.month >= query.first_month)
    if query.last_month:
        statement = statement.where(table.c.month <= query.last_month)
    if query.quarter_id is not None:
        statement = statement.where(table.c.quarter_id == query.quarter_id)
    if query.topic_filter is not None:
        statement = statement.where(table.c.topic == query.topic_filter)
    if dims:
        statement = statement.group_by(*dims).order_by(*dims)
    rows = []
    for row in session.execute(statement):
        values = dict(zip(query.group_by, row[:-1], strict=True))
        if not row[-1]:  # nothing matched, or only cells emptied by placing a site: no row
            continue
        rows.append(FigureRow(values.get("month"), values.get("quarter_id"), values.get("topic"), int(row[-1])))
    return rows


def forget_everything(connection: Session | Connection, processed: Table) -> None:
    """Empties every projection and the processed event ids (for a rebuild from the streams)."""
    for table in (COUNTS, SUMS, SITES, UNPLACED, processed):
        connection.execute(delete(table))
