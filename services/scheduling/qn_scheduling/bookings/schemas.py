"""What the booking API accepts and returns. Timestamps go out in the city's local time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from qn_contracts.vocabulary import Code, OrgId

from .domain import CancelReason
from .models import Booking


def _as_text(value: object) -> object:
    """A timestamp is RFC 3339 text, as documented: pydantic would also read a number as Unix time."""
    if not isinstance(value, str | datetime):
        raise PydanticCustomError("datetime_type", "Input should be a valid datetime")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_as_text)]

# free text may span lines but holds no other control characters (PostgreSQL refuses NUL)
Note = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    starts_at: Timestamp = Field(description="Start, with offset (RFC 3339).", examples=["2026-11-24T10:00:00+01:00"])
    ends_at: Timestamp = Field(description="End (exclusive), with offset.", examples=["2026-11-24T12:00:00+01:00"])
    title: str = Field(
        min_length=1,
        max_length=200,
        description="What the room is booked for, as an organisation says it. Never a resident's name.",
        examples=["Schuldnerberatung Caritas"],
    )
    org_id: OrgId | None = Field(
        None,
        description="Carrier, office or team the booking is for; default: the caller's.",
        examples=["caritas-dessau"],
    )
    purpose: Code | None = Field(
        None, description="Purpose code (counselling, group, meal ...).", examples=["counselling"]
    )


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: CancelReason | None = Field(None, description="Why: " + ", ".join(CancelReason) + ".", examples=["illness"])
    note: Note | None = Field(
        None,
        max_length=2000,
        description="Free text for those who book the room, with any reason or none; never a resident's name, "
        "never in an event.",
        examples=["Die Beraterin ist erkrankt; neuer Termin folgt."],
    )


class BookingOut(BaseModel):
    id: uuid.UUID
    site_id: str
    room_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    org_id: str | None
    purpose: str | None
    status: str = Field(description="confirmed or cancelled.")
    cancelled_at: datetime | None
    cancel_reason: str | None
    cancel_note: str | None = Field(
        description="The note given on cancelling; only for those who may cancel the booking, else null."
    )

    @classmethod
    def of(cls, booking: Booking, tz: ZoneInfo, *, with_note: bool = False) -> BookingOut:
        def local(value: datetime | None) -> datetime | None:
            return value.astimezone(tz) if value is not None else None

        return cls(
            id=booking.id,
            site_id=booking.site_id,
            room_id=booking.room_id,
            starts_at=booking.starts_at.astimezone(tz),
            ends_at=booking.ends_at.astimezone(tz),
            title=booking.title,
            org_id=booking.org_id,
            purpose=booking.purpose,
            status=booking.status,
            cancelled_at=local(booking.cancelled_at),
            cancel_reason=booking.cancel_reason,
            cancel_note=booking.cancel_note if with_note else None,
        )
