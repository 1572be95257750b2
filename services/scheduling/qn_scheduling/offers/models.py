"""Offers and their occurrences. Texts are organisational (title, description, an office's
contact), never a resident's name; a note on a changed occurrence stays in this table."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import UtcDateTime

from ..db import Base


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (ForeignKeyConstraint(["site_id", "room_id"], ["rooms.site_id", "rooms.room_id"]),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    room_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[str | None] = mapped_column(String(64), index=True)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_required: Mapped[bool] = mapped_column(Boolean, default=False)
    cost: Mapped[str] = mapped_column(String(20))
    accessibility: Mapped[str | None] = mapped_column(String(500))
    contact: Mapped[str | None] = mapped_column(String(200))
    # when: local wall-clock times in the city's zone and an RFC 5545 rule (UNTIL in UTC)
    first_day: Mapped[date] = mapped_column(Date)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    rrule: Mapped[str] = mapped_column(String(500))
    exdates: Mapped[list[str]] = mapped_column(JSON, default=list)
    on_holiday: Mapped[str] = mapped_column(String(10))
    # rotating counsellors confirm this many days before each occurrence, or the room is released
    reconfirm_days: Mapped[int | None] = mapped_column(Integer)
    # the series this one continues after a "this and all following" edit
    continues_offer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="offer", order_by="Occurrence.recurrence_id", cascade="all, delete-orphan"
    )


class Occurrence(Base):
    """One occurrence of an offer. `recurrence_id` is where the rule puts it (RFC 5545's
    RECURRENCE-ID); `starts_at` where it takes place, which differs once it is moved."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("offer_id", "recurrence_id"),
        Index("ix_occurrences_site_starts_at", "site_id", "starts_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id"), index=True)
    site_id: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[str] = mapped_column(String(64))
    recurrence_id: Mapped[datetime] = mapped_column(UtcDateTime)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(32))
    # a holiday's or closure's public name ("Ostermontag", "Sommerpause")
    label: Mapped[str | None] = mapped_column(String(120))
    # free text of whoever changed it: stays here, never in an event or a log line
    note: Mapped[str | None] = mapped_column(Text)
    booking_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    changed_by: Mapped[str | None] = mapped_column(String(200))
    # attendance ("Frequentierung"): counts only, never who came
    attendance: Mapped[int | None] = mapped_column(Integer)
    new_visitors: Mapped[int | None] = mapped_column(Integer)
    returning_visitors: Mapped[int | None] = mapped_column(Integer)
    by_age_band: Mapped[dict[str, int] | None] = mapped_column(JSON)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    offer: Mapped[Offer] = relationship(back_populates="occurrences")


class WaitlistEntry(Base):
    """A request for a room at a time it is taken: granted, earliest first, when that time frees
    up (an occurrence released for want of re-confirmation, a cancellation)."""

    __tablename__ = "room_waitlist"
    __table_args__ = (
        ForeignKeyConstraint(["site_id", "room_id"], ["rooms.site_id", "rooms.room_id"]),
        Index("ix_room_waitlist_room_starts_at", "site_id", "room_id", "starts_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    title: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # waiting, granted
    booking_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
