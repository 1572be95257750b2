"""Reads for the public programme and the feeds: offers and their occurrences with the names of
their site and room. Only offers are public; single room bookings never appear here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from qn_infra.unit_of_work import UnitOfWork

from ..offers.calendar_rules import OccurrenceStatus
from ..offers.models import Occurrence, Offer
from ..sites.models import Room, Site

SHOWN = (OccurrenceStatus.SCHEDULED.value, OccurrenceStatus.CANCELLED.value)
"""A programme shows what takes place and what was called off; skipped days are simply not there."""


@dataclass(frozen=True)
class Entry:
    offer: Offer
    occurrence: Occurrence
    site: Site
    room_name: str


@dataclass(frozen=True)
class Filters:
    site_id: str | None = None
    quarter_id: str | None = None
    target_group: str | None = None
    topic: str | None = None

    def admits(self, offer: Offer, site: Site) -> bool:
        return (
            (self.site_id is None or site.id == self.site_id)
            and (self.quarter_id is None or site.quarter_id == self.quarter_id)
            and (self.target_group is None or self.target_group in offer.target_groups)
            and (self.topic is None or self.topic in offer.topics)
        )


def week_of(day: date) -> date:
    """The Monday of the week `day` lies in."""
    return day - timedelta(days=day.weekday())


def week_programme(uow: UnitOfWork, *, monday: date, filters: Filters, tz: ZoneInfo) -> tuple[list[Entry], list[Site]]:
    """The occurrences of the week starting `monday` that the filters admit, in time order, and
    every site (for the filter form and the addresses)."""
    start = datetime.combine(monday, time.min, tz)
    end = datetime.combine(monday + timedelta(days=7), time.min, tz)
    with uow:
        sites = list(uow.session.scalars(select(Site).order_by(Site.name)).all())
        by_id = {site.id: site for site in sites}
        rooms = {(r.site_id, r.room_id): r.name for r in uow.session.scalars(select(Room)).all()}
        rows = uow.session.execute(
            select(Occurrence, Offer)
            .join(Offer, Occurrence.offer_id == Offer.id)
            .where(Occurrence.starts_at < end, Occurrence.ends_at > start, Occurrence.status.in_(SHOWN))
            .order_by(Occurrence.starts_at, Offer.title)
        ).all()
        entries = [
            Entry(offer, occurrence, by_id[offer.site_id], rooms.get((offer.site_id, occurrence.room_id), ""))
            for occurrence, offer in rows
            if filters.admits(offer, by_id[offer.site_id])
        ]
        uow.session.expunge_all()
        return entries, sites


class PublishedOffer(Protocol):
    """What feeds and HSDS read of an offer (an `Offer` row, or the plain row a feed reads)."""

    id: uuid.UUID
    site_id: str
    room_id: str
    title: str
    description: str | None
    org_id: str | None
    target_groups: list[str]
    cost: str
    registration_required: bool
    first_day: date
    starts: time
    ends: time
    rrule: str
    updated_at: datetime


class PublicSite(Protocol):
    """What feeds and HSDS read of a site."""

    id: str
    name: str
    carrier_id: str | None
    address: str | None


@dataclass(frozen=True)
class FeedSeries:
    offer: PublishedOffer
    differing: Sequence[Any]  # its occurrences that differ from the rule (Occurrence columns)
    site: PublicSite
    room_name: str


DIFFERING = or_(Occurrence.status != OccurrenceStatus.SCHEDULED.value, Occurrence.moved.is_(True))


def feed_series(
    uow: UnitOfWork,
    *,
    site_id: str | None = None,
    room_id: str | None = None,
    offer_id: uuid.UUID | None = None,
    org_id: str | None = None,
) -> list[FeedSeries]:
    """The offers a feed holds, each with the occurrences that differ from its rule (skipped,
    cancelled, waiting for approval, moved): the rule itself stands for every other one, so a
    two-year series reads a handful of rows, not a hundred. Three Core statements, plain rows:
    a feed is read far more often than it changes, and it needs no ORM objects."""
    offers_table, occurrences, sites, rooms = (
        Offer.__table__.c, Occurrence.__table__.c, Site.__table__.c, Room.__table__.c
    )  # fmt: skip
    query = select(Offer.__table__).order_by(offers_table.first_day, offers_table.title)
    if site_id is not None:
        query = query.where(offers_table.site_id == site_id)
    if room_id is not None:
        query = query.where(offers_table.room_id == room_id)
    if offer_id is not None:
        query = query.where(offers_table.id == offer_id)
    if org_id is not None:
        query = query.where(offers_table.org_id == org_id)
    with uow:
        connection = uow.session.connection()
        offers = connection.execute(query).all()
        if not offers:
            return []
        differing: dict[uuid.UUID, list[Any]] = {}
        for row in connection.execute(
            select(occurrences.offer_id, occurrences.recurrence_id, occurrences.status, occurrences.moved,
                   occurrences.starts_at, occurrences.ends_at, occurrences.changed_at)
            .where(occurrences.offer_id.in_([o.id for o in offers]), DIFFERING)
            .order_by(occurrences.recurrence_id)
        ):  # fmt: skip
            differing.setdefault(row.offer_id, []).append(row)
        site_ids = sorted({o.site_id for o in offers})
        by_site = {
            row.id: row
            for row in connection.execute(
                select(sites.id, sites.name, sites.carrier_id, sites.address).where(sites.id.in_(site_ids))
            )
        }
        room_names = {
            (row.site_id, row.room_id): row.name
            for row in connection.execute(
                select(rooms.site_id, rooms.room_id, rooms.name).where(rooms.site_id.in_(site_ids))
            )
        }
    return [
        FeedSeries(o, differing.get(o.id, ()), by_site[o.site_id], room_names.get((o.site_id, o.room_id), ""))
        for o in offers
    ]
