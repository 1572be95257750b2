"""What the site API accepts and returns."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from qn_contracts.vocabulary import OrgId, QuarterId, RoomKind, Weekday
from qn_infra.days import Day

from . import domain
from .models import Site

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
LocalTime = Annotated[time, PlainSerializer(lambda value: f"{value:%H:%M}", return_type=str)]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A local time in hours and minutes (HH:MM), as opening hours are given."""


class RoomIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    room_id: str = Field(
        pattern=ID_PATTERN, description="Id of the room, unique within the site.", examples=["beratung-2"]
    )
    name: str = Field(
        min_length=1, max_length=120, description="Name shown to staff and residents.", examples=["Beratungsraum 2"]
    )
    kind: RoomKind = Field(description="office, counselling, group, kitchen or open_area.", examples=["counselling"])
    capacity: int = Field(ge=1, le=1000, strict=True, description="How many people the room holds.", examples=[4])


class OpeningHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: Weekday = Field(description="mo, tu, we, th, fr, sa or su.", examples=["mo"])
    opens: ClockTime = Field(description="Local opening time (HH:MM).", examples=["09:00"])
    closes: ClockTime = Field(
        description="Local closing time (HH:MM), after `opens` on the same day.", examples=["17:00"]
    )


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_day: Day = Field(description="First local day the site is closed.", examples=["2027-07-19"])
    last_day: Day = Field(description="Last local day the site is closed (included).", examples=["2027-08-06"])
    reason: str | None = Field(
        None, max_length=120, description="Public reason shown in the programme.", examples=["Sommerpause"]
    )


class BookingRulesIn(BaseModel):
    """What carriers may book themselves at this site; the city's staff are not bound by it."""

    model_config = ConfigDict(extra="forbid")

    horizon_days: int = Field(
        domain.DEFAULT_HORIZON_DAYS,
        ge=1,
        le=3660,
        strict=True,
        description="How many days ahead a carrier may book or request a room.",
        examples=[180],
    )
    carrier_hours_per_month: int | None = Field(
        domain.DEFAULT_CARRIER_HOURS_PER_MONTH,
        ge=1,
        le=744,
        strict=True,
        description="Hours of room time one carrier may hold at this site per calendar month; null: no limit.",
        examples=[40],
    )
    carriers_book_directly: bool = Field(
        True,
        description="false: carriers request rooms and the site's coordinator approves; they cannot book themselves.",
        examples=[False],
    )

    def to_rules(self) -> domain.BookingRules:
        return domain.BookingRules(self.horizon_days, self.carrier_hours_per_month, self.carriers_book_directly)

    @classmethod
    def of(cls, rules: domain.BookingRules) -> BookingRulesIn:
        return cls(
            horizon_days=rules.horizon_days,
            carrier_hours_per_month=rules.carrier_hours_per_month,
            carriers_book_directly=rules.carriers_book_directly,
        )


class SiteIn(BaseModel):
    """The whole site: a PUT replaces name, rooms and opening hours with what it says."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120, description="Name of the drop-in centre.", examples=["Franztreff"])
    quarter_id: QuarterId = Field(
        description="Quarter (Sozialraum) from the city configuration.", examples=["innenstadt-sued"]
    )
    carrier_id: OrgId | None = Field(None, description="Coordinating carrier.", examples=["drk-dessau"])
    address: str | None = Field(
        None,
        max_length=200,
        description="Postal address of the site.",
        examples=["Franzstraße 147, 06842 Dessau-Roßlau"],
    )
    rooms: list[RoomIn] = Field(default_factory=list, max_length=50, description="Rooms, in the order to list them.")
    opening_hours: list[OpeningHoursIn] = Field(
        default_factory=list, max_length=50, description="Regular opening windows; a weekday without any is closed."
    )
    closures: list[ClosureIn] = Field(
        default_factory=list,
        max_length=100,
        description="Days closed besides the public holidays of the city's federal state (summer break, works).",
    )
    booking_rules: BookingRulesIn = Field(
        default_factory=BookingRulesIn,
        description="Booking horizon, monthly quota and approval for carriers; sensible defaults when left out.",
    )

    def to_spec(self, site_id: str) -> domain.SiteSpec:
        return domain.SiteSpec(
            site_id=site_id,
            name=self.name,
            quarter_id=self.quarter_id,
            carrier_id=self.carrier_id,
            address=self.address or None,
            rooms=tuple(domain.RoomSpec(r.room_id, r.name, r.kind, r.capacity) for r in self.rooms),
            opening_hours=tuple(
                domain.Window(h.weekday, time.fromisoformat(h.opens), time.fromisoformat(h.closes))
                for h in self.opening_hours
            ),
            closures=tuple(domain.Closure(c.first_day, c.last_day, c.reason or None) for c in self.closures),
            rules=self.booking_rules.to_rules(),
        )


class RoomOut(BaseModel):
    room_id: str
    name: str
    kind: RoomKind
    capacity: int


class OpeningHoursOut(BaseModel):
    weekday: Weekday
    opens: LocalTime
    closes: LocalTime


class ClosureOut(BaseModel):
    first_day: date
    last_day: date
    reason: str | None


class SiteOut(BaseModel):
    site_id: str
    name: str
    quarter_id: str
    carrier_id: str | None
    address: str | None
    rooms: list[RoomOut]
    opening_hours: list[OpeningHoursOut]
    closures: list[ClosureOut]
    booking_rules: BookingRulesIn
    updated_at: datetime

    @classmethod
    def of(cls, site: Site) -> SiteOut:
        spec = site.spec()
        return cls(
            site_id=site.id,
            name=site.name,
            quarter_id=site.quarter_id,
            carrier_id=site.carrier_id,
            address=site.address,
            rooms=[RoomOut(room_id=r.room_id, name=r.name, kind=r.kind, capacity=r.capacity) for r in spec.rooms],
            opening_hours=[
                OpeningHoursOut(weekday=w.weekday, opens=w.opens, closes=w.closes) for w in spec.opening_hours
            ],
            closures=[ClosureOut(first_day=c.first_day, last_day=c.last_day, reason=c.reason) for c in spec.closures],
            booking_rules=BookingRulesIn.of(spec.rules),
            updated_at=site.updated_at,
        )
