"""The tables of the finer figures (unmet need, weekly signals, neighbourly help, drop-in centres)
and of how fresh each event type's figures are. Every key is a cell; none points at a person:
`place` is a quarter, or for the drop-in centres a site (a public place); `detail` a reason code,
signal type, kind of help or offer id (public too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class BreakdownCell(Base):
    """How many events of one figure fell into one period, place, topic and detail, and the sum
    of their measure (attendance, hours) in hundredths."""

    __tablename__ = "breakdowns"

    figure: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    """`YYYY-MM` (month, Europe/Berlin) or `YYYY-Www` (ISO week)."""
    place: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    detail: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    hundredths: Mapped[int] = mapped_column(BigInteger)


class RoomWeek(Base):
    """How much of one room's opening time in one ISO week was booked, as scheduling last said
    (`room.occupancy_changed`: the latest by event time counts). Rooms and hours, never people:
    shown without suppression."""

    __tablename__ = "room_weeks"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    """`YYYY-Www`, local time."""
    quarter_id: Mapped[str] = mapped_column(String(64))
    minutes_booked: Mapped[int] = mapped_column(BigInteger)
    minutes_open: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """The event time of the figure kept: an older event arriving late does not replace it."""


class Freshness(Base):
    """Up to when the figures of one event type reach: the latest event time (ce-time) counted, and
    how many events of the type were counted."""

    __tablename__ = "freshness"

    event_type: Mapped[str] = mapped_column(String(200), primary_key=True)
    latest: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    events: Mapped[int] = mapped_column(BigInteger)


class SiteName(Base):
    """The public name of a site (drop-in centre), from `site.updated`, to name it in the figures."""

    __tablename__ = "site_names"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    rooms: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """room id -> the room's public name ("Küche"), to name rooms in the occupancy."""


class OfferName(Base):
    """The public title and site of an offer, from `offer.published`, to name it in the figures."""

    __tablename__ = "offer_names"

    offer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
