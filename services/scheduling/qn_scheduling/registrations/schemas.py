"""What the registration API accepts and returns: places and at most a pseudonymous reference."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from .domain import RegistrationStatus
from .models import Registration


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    places: int = Field(1, ge=1, le=100, strict=True, description="How many places (a family: several).", examples=[2])
    person_ref: uuid.UUID | None = Field(
        None,
        description="Intake's pseudonymous person reference, when the person is known there; leave it out for an "
        "anonymous registration. Never a name.",
        examples=["0e5c1f52-8a4b-4d8e-9f0a-3b2c1d4e5f60"],
    )


class RegistrationOut(BaseModel):
    id: uuid.UUID
    occurrence_id: uuid.UUID
    offer_id: uuid.UUID
    places: int
    person_ref: uuid.UUID | None
    status: str = Field(description="registered, waiting or cancelled.")
    created_at: datetime
    moved_up_at: datetime | None = Field(description="When it moved up from the waitlist, if it did.")

    @classmethod
    def of(cls, registration: Registration, tz: ZoneInfo) -> RegistrationOut:
        return cls(
            id=registration.id, occurrence_id=registration.occurrence_id, offer_id=registration.offer_id,
            places=registration.places, person_ref=registration.person_ref, status=registration.status,
            created_at=registration.created_at.astimezone(tz),
            moved_up_at=registration.moved_up_at.astimezone(tz) if registration.moved_up_at else None,
        )  # fmt: skip


class CancelledOut(BaseModel):
    cancelled: RegistrationOut
    moved_up: list[RegistrationOut] = Field(description="Registrations that got places from the waitlist.")


class RegistrationsOut(BaseModel):
    capacity: int | None = Field(description="Places the offer has.")
    registered: int = Field(description="Places taken.")
    waiting: int = Field(description="Places asked for on the waitlist.")
    free: int = Field(description="Places still free.")
    registrations: list[RegistrationOut] = Field(description="In the order they came; the waitlist moves up so.")

    @classmethod
    def of(cls, capacity: int | None, registrations: list[Registration], tz: ZoneInfo) -> RegistrationsOut:
        def places(status: RegistrationStatus) -> int:
            return sum(r.places for r in registrations if r.status == status)

        taken = places(RegistrationStatus.REGISTERED)
        return cls(
            capacity=capacity, registered=taken, waiting=places(RegistrationStatus.WAITING),
            free=max(0, (capacity or 0) - taken), registrations=[RegistrationOut.of(r, tz) for r in registrations],
        )  # fmt: skip
