"""Sites (drop-in centres, Angebotstreffs), their rooms and regular opening hours.

Rooms are retired rather than deleted when a site drops them: past bookings (and, later,
attendance of past occurrences) keep pointing at the room they took place in."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_contracts.vocabulary import RoomKind, Weekday
from qn_infra.database import UtcDateTime

from ..db import Base
from .domain import DEFAULT_HORIZON_DAYS, BookingRules, Closure, RoomSpec, SiteSpec, Window


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)
    carrier_id: Mapped[str | None] = mapped_column(String(64))
    # the address of a public drop-in centre, not of a person
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # what carriers may book themselves (BookingRules); staff of the city are not bound by them
    booking_horizon_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_HORIZON_DAYS)
    carrier_hours_per_month: Mapped[int | None] = mapped_column(Integer)
    carriers_book_directly: Mapped[bool] = mapped_column(Boolean, default=True)

    rooms: Mapped[list[Room]] = relationship(
        back_populates="site", lazy="selectin", order_by="Room.position", cascade="all, delete-orphan"
    )
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="site", lazy="selectin", cascade="all, delete-orphan"
    )
    closures: Mapped[list[SiteClosure]] = relationship(
        back_populates="site", lazy="selectin", order_by="SiteClosure.first_day", cascade="all, delete-orphan"
    )

    @property
    def active_rooms(self) -> list[Room]:
        return [room for room in self.rooms if room.retired_at is None]

    def spec(self) -> SiteSpec:
        """The site as a coordinator would describe it: active rooms, hours in weekday order."""
        return SiteSpec(
            site_id=self.id,
            name=self.name,
            quarter_id=self.quarter_id,
            carrier_id=self.carrier_id,
            address=self.address,
            rooms=tuple(RoomSpec(r.room_id, r.name, RoomKind(r.kind), r.capacity) for r in self.active_rooms),
            opening_hours=tuple(Window(Weekday(h.weekday), h.opens, h.closes) for h in self.opening_hours),
            closures=tuple(Closure(c.first_day, c.last_day, c.reason) for c in self.closures),
            rules=self.rules(),
        ).normalised()

    def rules(self) -> BookingRules:
        return BookingRules(
            horizon_days=self.booking_horizon_days,
            carrier_hours_per_month=self.carrier_hours_per_month,
            carriers_book_directly=self.carriers_book_directly,
        )

    def windows(self) -> list[Window]:
        return list(self.spec().opening_hours)


class Room(Base):
    __tablename__ = "rooms"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    site: Mapped[Site] = relationship(back_populates="rooms")


class OpeningHours(Base):
    """One opening window on one weekday, in the city's local time; a day may have several
    (a lunch break), and a day without any is a closed day."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    weekday: Mapped[str] = mapped_column(String(2))
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    site: Mapped[Site] = relationship(back_populates="opening_hours")


class SiteClosure(Base):
    """Days a site is closed besides public holidays; the reason is public (it is shown in the
    programme), such as "Sommerpause"."""

    __tablename__ = "site_closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(120))

    site: Mapped[Site] = relationship(back_populates="closures")
