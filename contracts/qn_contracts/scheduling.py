"""Events produced by scheduling: sites, rooms, bookings, offers, attendance (v1)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from .event import Classification, Event, EventSpec
from .fields import BookingId, OfferId, Org, Quarter, RoomId, SiteId, Timestamp, Topics, doc
from .vocabulary import AgeBand, Code, Growable, OfferKind, RoomKind, Weekday

_REQUEST_EXAMPLE = "2b3c4d5e-6f70-4a81-92b3-c4d5e6f7a8b9"
RequestId = UUID
_PUB = Classification.PUBLIC
_I = Classification.INTERNAL


def _spec(
    entity: str, action: str, classification: Classification, summary: str, address: str | None = None
) -> EventSpec:
    return EventSpec("scheduling", entity, action, 1, classification, summary, address)


class Room(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    room_id: RoomId
    name: str = doc("Room name shown to staff and residents.", "Beratungsraum 1", max_length=120)
    kind: Annotated[str, Growable(RoomKind)] = doc(
        "office, counselling, group, kitchen, open_area, meeting ...", "counselling"
    )
    capacity: int = doc("How many people the room holds.", 6, ge=1)


class OpeningHours(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    weekday: Weekday = doc("Day of the week.", "mo")
    opens: time = doc("Local opening time (Europe/Berlin).", "09:00")
    closes: time = doc("Local closing time (Europe/Berlin).", "17:00")


class Closure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    first_day: date = doc("First local day the site is closed.", "2027-07-19")
    last_day: date = doc("Last local day the site is closed (included).", "2027-08-06")
    reason: str | None = doc("Public reason shown in the programme.", "Sommerpause", default=None, max_length=120)


class SiteUpdated(Event):
    spec: ClassVar[EventSpec] = _spec(
        "site", "updated", _PUB, "A site (drop-in centre) was created or changed: rooms and hours."
    )

    site_id: SiteId
    name: str = doc("Name of the site.", "Franztreff", max_length=120)
    quarter_id: Quarter
    carrier_id: Org | None = doc("Coordinating carrier of the site.", "drk-dessau", default=None)
    address: str | None = doc(
        "Postal address of the site (public).", "Franzstraße 147, 06842 Dessau-Roßlau", default=None, max_length=200
    )
    rooms: list[Room] = doc("The site's rooms.", [], max_length=50)
    opening_hours: list[OpeningHours] = doc("Regular opening hours.", [], max_length=50)
    closures: list[Closure] = doc(
        "Days the site is closed besides public holidays (summer break, works); added in 1.5.",
        [],
        default_factory=list,
        max_length=100,
    )


class BookingConfirmed(Event):
    spec: ClassVar[EventSpec] = _spec("booking", "confirmed", _I, "A room booking was confirmed.", "org_id")

    booking_id: BookingId
    site_id: SiteId
    room_id: RoomId
    starts_at: Timestamp
    ends_at: Timestamp
    offer_id: OfferId | None = doc(
        "The offer this booking belongs to, if recurring.", "6f5e4d3c-2b1a-4f0e-8d9c-7b6a5f4e3d2c", default=None
    )
    org_id: Org | None = doc("Carrier or office the booking is for.", "caritas-dessau", default=None)
    purpose: Code | None = doc("Purpose code (counselling, group, meal ...).", "counselling", default=None)
    quarter_id: Quarter | None = doc(
        "Quarter of the booking's site, so that no consumer has to look it up; added in 1.5.",
        "innenstadt-sued",
        default=None,
    )
    request_id: RequestId | None = doc(
        "The carrier's room request this booking grants, if any; added in 1.7.", _REQUEST_EXAMPLE, default=None
    )


class BookingRequested(Event):
    spec: ClassVar[EventSpec] = _spec(
        "booking",
        "requested",
        _I,
        "A carrier asked for a room (one slot or a series); the site's coordinator approves or rejects it. "
        "Added in 1.7.",
        "org_id",
    )

    request_id: RequestId = doc("Id of the room request in scheduling.", _REQUEST_EXAMPLE)
    site_id: SiteId
    room_id: RoomId
    quarter_id: Quarter
    starts_at: Timestamp
    ends_at: Timestamp
    slots: int = doc("How many slots the request asks for (1, or the occurrences of its series).", 12, ge=1, le=1000)
    rrule: str | None = doc(
        "RFC 5545 rule of a series, in local wall-clock time.", "FREQ=WEEKLY;BYDAY=TU;COUNT=12", default=None
    )
    org_id: Org | None = doc("Carrier or office the room is asked for.", "caritas-dessau", default=None)
    purpose: Code | None = doc("Purpose code (counselling, group, meal ...).", "counselling", default=None)


class BookingRejected(Event):
    spec: ClassVar[EventSpec] = _spec(
        "booking", "rejected", _I, "A booking request was rejected (conflict, closed, holiday).", "org_id"
    )

    booking_id: BookingId
    site_id: SiteId
    room_id: RoomId
    starts_at: Timestamp
    ends_at: Timestamp
    reason: Code = doc("conflict, outside_opening_hours, closed, holiday, declined.", "conflict")
    conflicting_booking_id: BookingId | None = doc(
        "The booking it collides with, for reason=conflict.",
        "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
        default=None,
    )
    org_id: Org | None = doc(
        "Carrier or office the booking is for; absent for the site's own bookings. Added in 1.3.",
        "caritas-dessau",
        default=None,
    )
    quarter_id: Quarter | None = doc(
        "Quarter of the booking's site, so that no consumer has to look it up; added in 1.7.",
        "innenstadt-sued",
        default=None,
    )
    request_id: RequestId | None = doc(
        "The room request the coordinator rejected (then `booking_id` is the request's id as well); added in 1.7.",
        _REQUEST_EXAMPLE,
        default=None,
    )


class BookingCancelled(Event):
    spec: ClassVar[EventSpec] = _spec(
        "booking",
        "cancelled",
        _I,
        "A booking, or one occurrence of a recurring booking, was cancelled.",
        "org_id",
    )

    booking_id: BookingId
    site_id: SiteId
    room_id: RoomId
    occurrence_start: Timestamp | None = doc(
        "Start of the single cancelled occurrence; absent when the whole booking is cancelled.",
        "2026-12-01T11:00:00+01:00",
        default=None,
    )
    reason: Code | None = doc("Cancellation reason code.", "illness", default=None)
    org_id: Org | None = doc(
        "Carrier or office the booking is for; absent for the site's own bookings. Added in 1.3.",
        "caritas-dessau",
        default=None,
    )
    offer_id: OfferId | None = doc(
        "The offer whose occurrence this booking was; added in 1.5.",
        "6f5e4d3c-2b1a-4f0e-8d9c-7b6a5f4e3d2c",
        default=None,
    )
    quarter_id: Quarter | None = doc(
        "Quarter of the booking's site, so that no consumer has to look it up; added in 1.5.",
        "innenstadt-sued",
        default=None,
    )


class OccurrenceAttended(Event):
    spec: ClassVar[EventSpec] = _spec(
        "occurrence", "attended", _I, "Attendance of one occurrence of an offer was recorded (a count)."
    )

    offer_id: OfferId
    site_id: SiteId
    quarter_id: Quarter
    occurrence_start: Timestamp
    attendance: int = doc("Number of people who came; a count, never names.", 14, ge=0, le=10000)
    topics: Topics
    new_visitors: int | None = doc(
        "Of them, how many came for the first time, if counted; added in 1.5.", 3, default=None, ge=0, le=10000
    )
    returning_visitors: int | None = doc(
        "Of them, how many had come before, if counted; added in 1.5.", 11, default=None, ge=0, le=10000
    )
    by_age_band: dict[AgeBand, int] | None = doc(
        "Counts by age band, if counted (never per person); added in 1.5.",
        {"65_79": 9, "80_plus": 5},
        default=None,
    )
    capacity: int | None = doc(
        "Places the offer has, so that occupancy (attendance / capacity) can be reported; added in 1.5.",
        20,
        default=None,
        ge=1,
    )
    kind: Annotated[str, Growable(OfferKind)] | None = doc("Kind of offer; added in 1.5.", "lunch_table", default=None)
    registered: int | None = doc(
        "Places taken by registration for this occurrence, for offers that need one; added in 1.7.",
        12,
        default=None,
        ge=0,
        le=10000,
    )


class RoomOccupancyChanged(Event):
    spec: ClassVar[EventSpec] = _spec(
        "room",
        "occupancy_changed",
        _I,
        "How much of one room's opening time in one week is booked, sent again whenever a booking in "
        "that week changes (the last one counts). Added in 1.7.",
    )

    site_id: SiteId
    room_id: RoomId
    quarter_id: Quarter
    week: str = doc("ISO 8601 week (local time).", "2027-W12", pattern=r"^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$")
    week_start: date = doc("Local Monday the week begins with.", "2027-03-22")
    minutes_booked: int = doc(
        "Minutes of confirmed bookings in the week, within the opening hours and never counted twice.",
        1320,
        ge=0,
        le=10080,
    )
    minutes_open: int = doc(
        "Minutes the site is open that week (opening hours, less public holidays and closures).",
        2400,
        ge=0,
        le=10080,
    )


class OfferPublished(Event):
    spec: ClassVar[EventSpec] = _spec(
        "offer", "published", _PUB, "An offer was published in a site's public programme."
    )

    offer_id: OfferId
    site_id: SiteId
    quarter_id: Quarter
    title: str = doc("Public title.", "Mittagstisch", max_length=200)
    topics: Topics
    rrule: str | None = doc("RFC 5545 recurrence rule.", "FREQ=WEEKLY;BYDAY=MO,WE,FR", default=None)
    starts_at: Timestamp
    duration_minutes: int = doc("Length of one occurrence in minutes.", 120, ge=1, le=1440)
    org_id: Org | None = doc("Carrier or office running the offer.", "dessauer-tafel", default=None)
    kind: Annotated[str, Growable(OfferKind)] | None = doc("Kind of offer; added in 1.5.", "lunch_table", default=None)
    room_id: RoomId | None = doc("Room the offer takes place in; added in 1.5.", "kueche", default=None)
    exdates: list[date] = doc(
        "Local days the series leaves out (holidays, closures, cancellations); added in 1.5.",
        ["2027-12-24"],
        default_factory=list,
        max_length=2000,
    )


EVENTS: tuple[type[Event], ...] = (
    SiteUpdated,
    BookingRequested,
    BookingConfirmed,
    BookingRejected,
    BookingCancelled,
    OccurrenceAttended,
    RoomOccupancyChanged,
    OfferPublished,
)
