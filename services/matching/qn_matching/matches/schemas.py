"""What the help request and match API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from qn_contracts.vocabulary import Code

from .models import HelpRequest, Match


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Code | None = Field(None, description="Why not, as a code.", examples=["no_time"])


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: Annotated[Decimal, Field(gt=0, le=24, multiple_of=Decimal("0.25"))] = Field(
        description="Hours spent, in quarter hours.", examples=["1.5"]
    )


class MatchOut(BaseModel):
    id: uuid.UUID
    help_request_id: uuid.UUID
    help_kind: str
    quarter_id: str
    urgency: str
    wanted_by: date | None
    volunteer_id: uuid.UUID
    volunteer_ref: uuid.UUID
    volunteer_display_name: str
    attempt: int
    score: float
    status: str
    proposed_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    decline_reason: str | None
    completed_at: datetime | None
    hours: Decimal | None

    @classmethod
    def of(cls, match: Match) -> MatchOut:
        request, volunteer = match.help_request, match.volunteer
        return cls(
            id=match.id,
            help_request_id=match.help_request_id,
            help_kind=request.help_kind,
            quarter_id=request.quarter_id,
            urgency=request.urgency,
            wanted_by=request.wanted_by,
            volunteer_id=volunteer.id,
            volunteer_ref=volunteer.volunteer_ref,
            volunteer_display_name=volunteer.display_name,
            attempt=match.attempt,
            score=match.score,
            status=match.status,
            proposed_at=match.proposed_at,
            expires_at=match.expires_at,
            answered_at=match.answered_at,
            decline_reason=match.decline_reason,
            completed_at=match.completed_at,
            hours=match.hours,
        )


class HelpRequestOut(BaseModel):
    id: uuid.UUID
    concern_id: uuid.UUID
    quarter_id: str
    help_kind: str
    skills: list[str]
    languages: list[str]
    urgency: str
    wanted_by: date | None
    status: str = Field(description="proposed (waiting for an answer), matched, unmatched, completed, cancelled.")
    unmatched_reason: str | None = Field(description="no_candidates, all_declined or all_expired.")
    received_at: datetime
    updated_at: datetime
    matches: list[MatchOut]

    @classmethod
    def of(cls, request: HelpRequest) -> HelpRequestOut:
        fields = {name: getattr(request, name) for name in cls.model_fields if name != "matches"}
        return cls(**fields, matches=[MatchOut.of(m) for m in request.matches])
