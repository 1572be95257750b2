"""Reading and writing the breakdown cells, the freshness of each event type and the offers' names,
on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qn_contracts import Event, EventMeta
from qn_contracts.scheduling import OfferPublished, RoomOccupancyChanged, SiteUpdated

from .domain import SOURCES, Amounts, BreakdownKey, add_into, breakdown
from .models import BreakdownCell, Freshness, OfferName, RoomWeek, SiteName

BREAKDOWNS: Table = BreakdownCell.__table__  # type: ignore[assignment]
FRESHNESS: Table = Freshness.__table__  # type: ignore[assignment]
OFFERS: Table = OfferName.__table__  # type: ignore[assignment]
SITE_NAMES: Table = SiteName.__table__  # type: ignore[assignment]
ROOM_WEEKS: Table = RoomWeek.__table__  # type: ignore[assignment]
KEY = ("figure", "period", "place", "topic", "detail")


@dataclass
class Fold:
    """What a batch adds to the breakdowns, the freshness and the offers' names, kept in memory so
    that each row is written once."""

    amounts: Amounts = field(default_factory=dict)
    latest: dict[str, list[Any]] = field(default_factory=dict)
    """event type -> [latest ce-time, events]."""
    offers: dict[str, tuple[str, str]] = field(default_factory=dict)
    """offer id -> (site, title), the last one published wins."""
    sites: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    """site id -> public name and its rooms' names, the last one published wins."""
    rooms: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    """(site, room, week) -> the room week's figures, the latest by event time wins."""

    def add(self, event: Event, meta: EventMeta) -> None:
        # a rebuild folds a million events through here: only what is needed, nothing converted
        cls = type(event)
        if cls in SOURCES:
            add_into(self.amounts, breakdown(event, meta))
        elif cls is OfferPublished:
            self.offers[str(event.offer_id)] = (event.site_id, event.title)  # type: ignore[attr-defined]
        elif cls is SiteUpdated:
            rooms = {room.room_id: room.name for room in event.rooms}  # type: ignore[attr-defined]
            self.sites[event.site_id] = (event.name, rooms)  # type: ignore[attr-defined]
        moment = meta.time if meta.time.tzinfo is not None else meta.time.replace(tzinfo=UTC)
        if cls is RoomOccupancyChanged:
            self._room_week(event, moment)  # type: ignore[arg-type]
        slot = self.latest.get(meta.type)
        if slot is None:
            self.latest[meta.type] = [moment, 1]
        else:
            slot[1] += 1
            if moment > slot[0]:
                slot[0] = moment

    def _room_week(self, event: RoomOccupancyChanged, moment: datetime) -> None:
        key = (event.site_id, event.room_id, event.week)
        kept = self.rooms.get(key)
        if kept is None or moment >= kept["as_of"]:
            self.rooms[key] = {
                "site_id": event.site_id,
                "room_id": event.room_id,
                "week": event.week,
                "quarter_id": event.quarter_id,
                "minutes_booked": event.minutes_booked,
                "minutes_open": event.minutes_open,
                "as_of": moment.astimezone(UTC),
            }


def breakdown_rows(amounts: Mapping[BreakdownKey, tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {
            "figure": k.figure,
            "period": k.period,
            "place": k.place,
            "topic": k.topic,
            "detail": k.detail,
            "n": n,
            "hundredths": value,
        }
        for k, (n, value) in sorted(amounts.items())
    ]


def _insert(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


def write(connection: Session | Connection, fold: Fold) -> None:
    """Adds what the fold holds, in the caller's transaction. Rows in key order, so that concurrent
    consumers on PostgreSQL lock them in the same order."""
    dialect = connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name
    insert = _insert(dialect)
    execute = connection.connection().execute if isinstance(connection, Session) else connection.execute
    if fold.amounts:
        statement = insert(BREAKDOWNS)
        execute(
            statement.on_conflict_do_update(
                index_elements=list(KEY),
                set_={
                    "n": BREAKDOWNS.c.n + statement.excluded.n,
                    "hundredths": BREAKDOWNS.c.hundredths + statement.excluded.hundredths,
                },
            ),
            breakdown_rows(fold.amounts),
        )
    if fold.latest:
        statement = insert(FRESHNESS)
        later = func.greatest if dialect == "postgresql" else func.max  # SQLite's max(a, b) is scalar
        execute(
            statement.on_conflict_do_update(
                index_elements=["event_type"],
                set_={
                    "latest": later(FRESHNESS.c.latest, statement.excluded.latest),
                    "events": FRESHNESS.c.events + statement.excluded.events,
                },
            ),
            # in UTC, so that SQLite (which keeps the text as given) compares and returns it right
            [
                {"event_type": t, "latest": at.astimezone(UTC), "events": n}
                for t, (at, n) in sorted(fold.latest.items())
            ],
        )
    if fold.offers:
        statement = insert(OFFERS)
        execute(
            statement.on_conflict_do_update(
                index_elements=["offer_id"],
                set_={"site_id": statement.excluded.site_id, "title": statement.excluded.title},
            ),
            [{"offer_id": o, "site_id": s, "title": t} for o, (s, t) in sorted(fold.offers.items())],
        )
    if fold.sites:
        statement = insert(SITE_NAMES)
        execute(
            statement.on_conflict_do_update(
                index_elements=["site_id"], set_={"name": statement.excluded.name, "rooms": statement.excluded.rooms}
            ),
            [{"site_id": s, "name": n, "rooms": rooms} for s, (n, rooms) in sorted(fold.sites.items())],
        )
    if fold.rooms:
        statement = insert(ROOM_WEEKS)
        newer = {c: statement.excluded[c] for c in ("quarter_id", "minutes_booked", "minutes_open", "as_of")}
        execute(
            # a figure older than the one kept (a late redelivery) changes nothing
            statement.on_conflict_do_update(
                index_elements=["site_id", "room_id", "week"],
                set_=newer,
                where=ROOM_WEEKS.c.as_of <= statement.excluded.as_of,
            ),
            [fold.rooms[key] for key in sorted(fold.rooms)],
        )


def forget(connection: Session | Connection) -> None:
    for table in (BREAKDOWNS, FRESHNESS, OFFERS, SITE_NAMES, ROOM_WEEKS):
        connection.execute(delete(table))


@dataclass(frozen=True)
class StoredBreakdown:
    period: str
    place: str
    topic: str
    detail: str
    n: int
    hundredths: int


def cells_of(session: Session, figure: str, periods_like: str) -> list[StoredBreakdown]:
    """The stored cells of one figure whose period matches a LIKE pattern (`2026-%`)."""
    table = BREAKDOWNS
    statement = select(table.c.period, table.c.place, table.c.topic, table.c.detail, table.c.n, table.c.hundredths)
    statement = statement.where(table.c.figure == figure, table.c.period.like(periods_like))
    return [StoredBreakdown(*row) for row in session.execute(statement)]


def fingerprint(session: Session, figures: Iterable[str], periods_like: str) -> tuple[int, ...]:
    """Changes whenever a cell of the figures in those periods changes (cells only ever grow)."""
    table = BREAKDOWNS
    statement = select(
        func.count(), func.coalesce(func.sum(table.c.n), 0), func.coalesce(func.sum(table.c.hundredths), 0)
    ).where(table.c.figure.in_(list(figures)), table.c.period.like(periods_like))
    return tuple(int(v) for v in session.execute(statement).one())


def freshness(session: Session, event_types: Iterable[str]) -> tuple[datetime | None, int]:
    """The latest event time and the number of events counted over some event types."""
    statement = select(func.max(FRESHNESS.c.latest), func.coalesce(func.sum(FRESHNESS.c.events), 0)).where(
        FRESHNESS.c.event_type.in_(list(event_types))
    )
    latest, events = session.execute(statement).one()
    if latest is not None and latest.tzinfo is None:  # SQLite hands back naive UTC
        latest = latest.replace(tzinfo=UTC)
    return latest, int(events)


def offer_names(session: Session) -> dict[str, tuple[str, str]]:
    """offer id -> (site, title)."""
    return {row.offer_id: (row.site_id, row.title) for row in session.execute(select(OFFERS))}


def site_names(session: Session) -> dict[str, str]:
    """site id -> public name."""
    return {row.site_id: row.name for row in session.execute(select(SITE_NAMES))}


def room_names(session: Session) -> dict[tuple[str, str], str]:
    """(site id, room id) -> the room's public name."""
    return {
        (row.site_id, room): name
        for row in session.execute(select(SITE_NAMES.c.site_id, SITE_NAMES.c.rooms))
        for room, name in (row.rooms or {}).items()
    }
