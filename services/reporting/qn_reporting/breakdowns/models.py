"""The tables of the finer figures (unmet need, weekly signals, neighbourly help, drop-in centres)
and of how fresh each event type's figures are. Every key is a cell; none points at a person:
`place` is a quarter, or for the drop-in centres a site (a public place); `detail` a reason code,
signal type, kind of help or offer id (public too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String
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


class OfferName(Base):
    """The public title and site of an offer, from `offer.published`, to name it in the figures."""

    __tablename__ = "offer_names"

    offer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
