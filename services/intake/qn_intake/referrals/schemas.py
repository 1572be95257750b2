"""What the referral API accepts and returns. A referral as carriers see it holds no personal data:
contact details come only from `/referrals/{id}/contact`, under consent and audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qn_contracts.vocabulary import DecidedBy, ReferralReason, ReferralStatus

from ..concerns.models import Concern
from .domain import allowed_next, is_overdue
from .models import Referral, ReferralTransition

# free text may span lines but holds no other control characters (PostgreSQL refuses NUL)
Note = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class StatusChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_status: ReferralStatus = Field(description="The new status.", examples=["accepted"])
    reason: ReferralReason | None = Field(
        None,
        description="Needed for rejected, failed and cancelled; completed may carry got_help.",
        examples=["no_capacity"],
    )
    decided_by: DecidedBy | None = Field(
        None,
        description="Who declined or ended it (carrier, resident, team); filled in when not given.",
        examples=["carrier"],
    )
    note: Note | None = Field(
        None, max_length=2000, description="Free text for the referring team; stays in intake, never in an event."
    )


class TransitionOut(BaseModel):
    at: datetime
    from_status: str
    to_status: str
    reason: str | None
    decided_by: str | None
    actor_org: str | None = Field(description="The carrier or team that made the change.")
    actor: str | None = Field(None, description="The account that made the change (team staff only).")
    note: str | None = Field(None, description="Free text (team staff only: it may hold personal data).")

    @classmethod
    def of(cls, t: ReferralTransition, *, for_staff: bool) -> TransitionOut:
        return cls(
            at=t.at,
            from_status=t.from_status,
            to_status=t.to_status,
            reason=t.reason,
            decided_by=t.decided_by,
            actor_org=t.actor_org,
            actor=t.actor if for_staff else None,
            note=t.note if for_staff else None,
        )


class ReferralSummary(BaseModel):
    id: uuid.UUID
    concern_id: uuid.UUID
    target_kind: str
    target_id: str
    status: str
    reason: str | None
    decided_by: str | None
    topics: list[str]
    quarter_id: str
    team_id: str = Field(description="The referring team (the concern's team).")
    urgency: str
    age_band: str | None
    due_at: datetime
    overdue: bool
    escalated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    person_attached: bool = Field(description="False for an anonymous concern: there are no contact details.")

    @classmethod
    def fields_of(cls, referral: Referral, concern: Concern, now: datetime) -> dict[str, object]:
        return {
            "id": referral.id,
            "concern_id": referral.concern_id,
            "target_kind": referral.target_kind,
            "target_id": referral.target_id,
            "status": referral.status,
            "reason": referral.reason,
            "decided_by": referral.decided_by,
            "topics": list(referral.topics),
            "quarter_id": concern.quarter_id,
            "team_id": concern.team_id,
            "urgency": concern.urgency,
            "age_band": concern.age_band,
            "due_at": referral.due_at,
            "overdue": is_overdue(referral.status, referral.due_at, now),
            "escalated_at": referral.escalated_at,
            "created_at": referral.created_at,
            "updated_at": referral.updated_at,
            "person_attached": concern.person_id is not None,
        }

    @classmethod
    def of(cls, referral: Referral, concern: Concern, now: datetime) -> ReferralSummary:
        return cls.model_validate(cls.fields_of(referral, concern, now))


class ReferralOut(ReferralSummary):
    allowed_next: list[str] = Field(description="Statuses this caller may set next.")
    transitions: list[TransitionOut] = Field(description="Every status change, oldest first.")

    @classmethod
    def detail(cls, referral: Referral, concern: Concern, now: datetime, *, as_carrier: bool) -> ReferralOut:
        return cls.model_validate(
            {
                **cls.fields_of(referral, concern, now),
                "allowed_next": [s.value for s in allowed_next(ReferralStatus(referral.status), carrier=as_carrier)],
                "transitions": [TransitionOut.of(t, for_staff=not as_carrier) for t in referral.transitions],
            }
        )


class ReferralPage(BaseModel):
    items: list[ReferralSummary]
    page: int
    page_size: int
    total: int = Field(description="How many referrals match, on all pages.")


class ContactOut(BaseModel):
    given_name: str | None
    family_name: str | None
    phone: str | None
    email: str | None
    street: str | None
    house_number: str | None
    postcode: str | None
    preferred_channel: str | None = Field(description="How the person wants to be contacted.")
    preferred_language: str | None = Field(description="ISO 639-1.")
