"""What the room request API accepts and returns. Timestamps go out in the city's local time."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from qn_contracts.vocabulary import Code, OrgId

from ..bookings.schemas import Note, Timestamp
from .domain import RejectReason
from .models import RoomRequest
from .queries import slots_of


class RoomRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    starts_at: Timestamp = Field(
        description="Start of the (first) slot, with offset (RFC 3339).", examples=["2027-03-16T09:00:00+01:00"]
    )
    ends_at: Timestamp = Field(
        description="End (exclusive) of the (first) slot, same day.", examples=["2027-03-16T12:00:00+01:00"]
    )
    title: str = Field(
        min_length=1, max_length=200, description="What for, as an organisation says it; never a resident's name.",
        examples=["Schuldnerberatung Caritas"],
    )  # fmt: skip
    org_id: OrgId | None = Field(
        None, description="Carrier or office the room is asked for; default: the caller's.", examples=["caritas-dessau"]
    )
    purpose: Code | None = Field(None, description="Purpose code (counselling, group ...).", examples=["counselling"])
    rrule: str | None = Field(
        None,
        max_length=500,
        description="For a series: an RFC 5545 rule in local wall-clock time from the first slot, with UNTIL or "
        "COUNT. Days the site is closed (public holidays, closures) are left out.",
        examples=["FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6"],
    )


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skip_collisions: bool = Field(
        False, description="Leave out slots taken since the request instead of refusing with 409."
    )
    note: Note | None = Field(None, max_length=2000, description="A note for the carrier; never in an event.")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: RejectReason = Field(
        description="Why: " + ", ".join(RejectReason) + ".", examples=["room_needed_otherwise"]
    )
    note: Note | None = Field(
        None,
        max_length=2000,
        description="Free text for the carrier (German), e.g. what to do instead; never in an event.",
        examples=["Der Raum ist dienstags für die Schuldnerberatung reserviert; donnerstags wäre er frei."],
    )


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime


class RoomRequestOut(BaseModel):
    id: uuid.UUID
    site_id: str
    room_id: str
    org_id: str | None
    title: str
    purpose: str | None
    rrule: str | None
    status: str = Field(description="pending, approved, rejected or withdrawn.")
    slots: list[SlotOut] = Field(description="The slots asked for, in local time (closed days left out).")
    skipped: list[date] = Field(description="Local days of the series left out: public holidays and closures.")
    created_at: datetime
    decided_at: datetime | None
    reason: str | None = Field(description="Why it was rejected (a code).")
    note: str | None = Field(description="The coordinator's note with the decision.")
    booking_ids: list[uuid.UUID] = Field(description="The bookings an approval made.")

    @classmethod
    def of(cls, request: RoomRequest, tz: ZoneInfo) -> RoomRequestOut:
        return cls(
            id=request.id, site_id=request.site_id, room_id=request.room_id, org_id=request.org_id,
            title=request.title, purpose=request.purpose, rrule=request.rrule, status=request.status,
            slots=[SlotOut(starts_at=s.astimezone(tz), ends_at=e.astimezone(tz)) for s, e in slots_of(request)],
            skipped=[date.fromisoformat(day) for day in request.skipped],
            created_at=request.created_at.astimezone(tz),
            decided_at=request.decided_at.astimezone(tz) if request.decided_at else None,
            reason=request.reason, note=request.note, booking_ids=[uuid.UUID(b) for b in request.booking_ids],
        )  # fmt: skip
