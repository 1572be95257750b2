"""What the help-request API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from qn_contracts.vocabulary import Code

from ..referrals.schemas import LabelledCode, next_step_out
from .domain import LABELS, HelpStatus
from .models import HelpRequest
from .visit import Visit


class HelpAskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    help_kind: Code = Field(
        description="Kind of neighbourly help (shopping, small_repairs, escort, walk, reading, company, digital_help).",
        examples=["reading"],
    )


class HelpRequestOut(BaseModel):
    id: uuid.UUID
    concern_id: uuid.UUID
    help_kind: str
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
