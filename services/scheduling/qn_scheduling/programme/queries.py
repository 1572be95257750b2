"""Reads for the public programme and the feeds: offers and their occurrences with the names of
their site and room. Only offers are public; single room bookings never appear here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import raiseload, selectinload

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


@dataclass(frozen=True)
class FeedSeries:
    offer: Offer
    site: Site
    room_name: str


def feed_series(
    uow: UnitOfWork,
    *,
    site_id: str | None = None,
    room_id: str | None = None,
    offer_id: uuid.UUID | None = None,
    org_id: str | None = None,
) -> list[FeedSeries]:
    """The offers a feed holds, each with the occurrences that differ from its rule loaded (skipped,
    cancelled, waiting for approval, moved): the rule itself stands for every other one, so a
    two-year series reads a handful of rows, not a hundred. Sites come without their rooms and
    hours, which neither a feed nor HSDS needs."""
    differing = or_(Occurrence.status != OccurrenceStatus.SCHEDULED.value, Occurrence.moved.is_(True))
    with uow:
        query = (
            select(Offer)
            .options(selectinload(Offer.occurrences.and_(differing)))
            .order_by(Offer.first_day, Offer.title)
        )
        if site_id is not None:
            query = query.where(Offer.site_id == site_id)
        if room_id is not None:
            query = query.where(Offer.room_id == room_id)
        if offer_id is not None:
            query = query.where(Offer.id == offer_id)
        if org_id is not None:
            query = query.where(Offer.org_id == org_id)
        offers: Sequence[Offer] = uow.session.scalars(query).all()
        site_ids = sorted({o.site_id for o in offers})
        sites = {
            s.id: s
            for s in uow.session.scalars(
                select(Site).where(Site.id.in_(site_ids)).options(raiseload(Site.rooms), raiseload(Site.opening_hours),
                                                                  raiseload(Site.closures))
            ).all()
        }  # fmt: skip
        rooms = {
            (site_id, room_id): name
            for site_id, room_id, name in uow.session.execute(
                select(Room.site_id, Room.room_id, Room.name).where(Room.site_id.in_(site_ids))
            ).all()
        }
        series = [FeedSeries(o, sites[o.site_id], rooms.get((o.site_id, o.room_id), "")) for o in offers]
        uow.session.expunge_all()
        return series
