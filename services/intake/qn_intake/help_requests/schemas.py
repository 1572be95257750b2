"""What the help-request API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qn_contracts.vocabulary import Code, Weekday

from ..referrals.schemas import LabelledCode, next_step_out
from .domain import LABELS, HelpStatus, WeeklySlot
from .models import HelpRequest
from .visit import Visit

ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
SLOT_DESCRIPTION = (
    "Recurring help (weekly shopping, a weekly visit): the weekly slot in local time. Only a volunteer available "
    "then is proposed, and the one who accepts keeps the series until it is completed. Absent: a one-off."
)


class WeeklySlotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: Weekday = Field(description="mo, tu, we, th, fr, sa, su.", examples=["tu"])
    starts: ClockTime = Field(description="Local time the help starts (HH:MM).", examples=["10:00"])
    ends: ClockTime = Field(description="Local time the help ends (HH:MM), after `starts`.", examples=["11:30"])

    def to_domain(self) -> WeeklySlot:
        return WeeklySlot(self.weekday.value, time.fromisoformat(self.starts), time.fromisoformat(self.ends))


class WeeklySlotOut(BaseModel):
    weekday: str = Field(examples=["tu"])
    starts: str = Field(examples=["10:00"])
    ends: str = Field(examples=["11:30"])


class HelpAskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    help_kind: Code = Field(
        description="Kind of neighbourly help (shopping, small_repairs, escort, walk, reading, company, digital_help).",
        examples=["reading"],
    )
    weekly_slot: WeeklySlotIn | None = Field(None, description=SLOT_DESCRIPTION)


class HelpRequestOut(BaseModel):
    id: uuid.UUID
    concern_id: uuid.UUID
    help_kind: str
    weekly_slot: WeeklySlotOut | None = Field(None, description="For recurring help: the weekly slot, local time.")
    topics: list[str]
    rule_id: str | None
    asked_by: str = Field(description="routing (the routing table) or youth_office.")
    status: str = Field(
        description="needs_person, awaiting_consent, requested, matched, completed, unmatched or cancelled."
    )
    status_label: LabelledCode
    requested_at: datetime | None = Field(description="When it went to matching.")
    matched_at: datetime | None = Field(description="When a volunteer accepted.")
    completed_at: datetime | None
    hours: Decimal | None = Field(description="Approved hours of the volunteers' tasks (quarter hours).")
    hours_source: str | None = Field(
        None, description="Where the approved hours come from: app, paper (a slip entered later) or mixed."
    )
    unmatched_reason: str | None = Field(description="Why matching found nobody (no_candidates, all_declined, ...).")
    cancelled_reason: str | None
    next_step: LabelledCode | None = Field(description="After 'nobody found': what the team did next.")

    @classmethod
    def of(cls, h: HelpRequest) -> HelpRequestOut:
        de, en = LABELS.get(HelpStatus(h.status), (h.status, h.status))
        return cls(
            id=h.id,
            concern_id=h.concern_id,
            help_kind=h.help_kind,
            weekly_slot=WeeklySlotOut(**h.weekly_slot) if h.weekly_slot else None,
            topics=list(h.topics),
            rule_id=h.rule_id,
            asked_by=h.asked_by,
            status=h.status,
            status_label=LabelledCode(code=h.status, de=de, en=en),
            requested_at=h.requested_at,
            matched_at=h.matched_at,
            completed_at=h.completed_at,
            hours=h.hours,
            hours_source=h.hours_source,
            unmatched_reason=h.unmatched_reason,
            cancelled_reason=h.cancelled_reason,
            next_step=next_step_out(h.next_step),
        )


class VisitAddress(BaseModel):
    street: str | None
    house_number: str | None
    postcode: str | None


class VisitOut(BaseModel):
    """Whom to help and where: for the volunteer who accepted the task (decision 0013)."""

    help_request_id: uuid.UUID
    help_kind: str
    given_name: str | None = Field(description="The person's first name only.")
    phone: str | None
    address: VisitAddress

    @classmethod
    def of(cls, help_request_id: uuid.UUID, visit: Visit) -> VisitOut:
        return cls(
            help_request_id=help_request_id,
            help_kind=visit.help_kind,
            given_name=visit.given_name,
            phone=visit.phone,
            address=VisitAddress(street=visit.street, house_number=visit.house_number, postcode=visit.postcode),
        )
