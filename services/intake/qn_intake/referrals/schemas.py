"""What the referral API accepts and returns. A referral as carriers see it holds no personal data:
contact details come only from `/referrals/{id}/contact`, under consent and audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qn_contracts.vocabulary import DecidedBy, ReferralReason, ReferralStatus

from ..access import AWAITING_CONSENT
from ..concerns.models import Concern
from ..next_steps import CHOSEN_BY_STAFF, NextStep
from ..next_steps import LABELS as NEXT_STEP_LABELS
from . import legal_basis
from .domain import allowed_next, is_overdue
from .legal_basis import STATED
from .models import Referral, ReferralTransition

StatedBasis = Enum("StatedBasis", {b.name: b.value for b in STATED}, type=str)  # type: ignore[misc]
StaffNextStep = Enum("StaffNextStep", {s.name: s.value for s in CHOSEN_BY_STAFF}, type=str)  # type: ignore[misc]

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


class LegalBasisIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    basis: StatedBasis = Field(  # type: ignore[valid-type]
        description="sgb_x_69 (a city office's statutory task), sgb_viii_8a (child protection, youth office "
        "only), gdpr_9_2_c (vital interests, consent not possible). A consent is recorded as a consent.",
        examples=["sgb_viii_8a"],
    )
    note: Note | None = Field(
        None, max_length=2000, description="Why the basis applies; for the team's file, never in an event."
    )


class NextStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: StaffNextStep = Field(  # type: ignore[valid-type]
        description="What the team does now: " + ", ".join(s.value for s in CHOSEN_BY_STAFF) + ".",
        examples=["referred_elsewhere"],
    )
    note: Note | None = Field(None, max_length=2000, description="Free text for the team; stays in intake.")


class LabelledCode(BaseModel):
    code: str
    de: str
    en: str


def basis_out(code: str | None) -> LabelledCode | None:
    labels = legal_basis.label(code)
    return LabelledCode(code=code, de=labels[0], en=labels[1]) if code and labels else None


def next_step_out(code: str | None) -> LabelledCode | None:
    if not code:
        return None
    de, en = NEXT_STEP_LABELS.get(NextStep(code), (code, code))
    return LabelledCode(code=code, de=de, en=en)


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
    legal_basis: LabelledCode | None = Field(
        description="Why the person's data may reach the target: `consent` or a legal basis; none for an anonymous "
        "concern or a referral to a team."
    )
    released_at: datetime | None = Field(
        description="When the referral left intake; none while it awaits consent (status awaiting_consent)."
    )
    next_step: LabelledCode | None = Field(
        description="After a decline or failure: what the referring team did next (none: another way is needed)."
    )

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
            "legal_basis": basis_out(referral.legal_basis),
            "released_at": referral.released_at,
            "next_step": next_step_out(referral.next_step),
        }

    @classmethod
    def of(cls, referral: Referral, concern: Concern, now: datetime) -> ReferralSummary:
        return cls.model_validate(cls.fields_of(referral, concern, now))


class ReferralOut(ReferralSummary):
    allowed_next: list[str] = Field(description="Statuses this caller may set next.")
    transitions: list[TransitionOut] = Field(description="Every status change, oldest first.")
    legal_basis_note: str | None = Field(None, description="Why staff stated the legal basis (team staff only).")
    next_step_note: str | None = Field(None, description="The team's note on its next step (team staff only).")

    @classmethod
    def detail(cls, referral: Referral, concern: Concern, now: datetime, *, as_carrier: bool) -> ReferralOut:
        if referral.status == AWAITING_CONSENT:
            nexts = ["cancelled", "entered_in_error"]
        else:
            nexts = [s.value for s in allowed_next(ReferralStatus(referral.status), carrier=as_carrier)]
        return cls.model_validate(
            {
                **cls.fields_of(referral, concern, now),
                "allowed_next": nexts,
                "transitions": [TransitionOut.of(t, for_staff=not as_carrier) for t in referral.transitions],
                "legal_basis_note": None if as_carrier else referral.legal_basis_note,
                "next_step_note": None if as_carrier else referral.next_step_note,
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
