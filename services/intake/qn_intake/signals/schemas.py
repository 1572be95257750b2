"""What the signal and follow-up API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qn_contracts.vocabulary import SignalType

from ..concerns.schemas import AddressIn
from .domain import FollowUpOutcome
from .models import FollowUp

# free text may span lines but holds no other control characters (PostgreSQL refuses NUL)
Note = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class SignalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signal_type: SignalType = Field(
        description="loneliness (Vereinsamung), neglect (Verwahrlosung), discharge_without_follow_up, no_contact, "
        "debt_crisis, housing_loss_risk.",
        examples=["loneliness"],
    )
    concern_id: uuid.UUID | None = Field(None, description="The concern this belongs to; it sets the quarter.")
    person_id: uuid.UUID | None = Field(
        None, description="The person observed; their quarter is used when nothing else says where."
    )
    quarter_id: str | None = Field(
        None,
        max_length=64,
        description="The quarter, when there is no concern or address.",
        examples=["innenstadt-sued"],
    )
    address: AddressIn | None = Field(None, description="Where the observation was made; resolves the quarter.")
    note: Note | None = Field(
        None, max_length=4000, description="What was observed; stays in intake, never in an event."
    )


class FollowUpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    signal_id: uuid.UUID | None
    concern_id: uuid.UUID | None
    quarter_id: str
    team_id: str
    reason: str = Field(description="Why: the signal type.")
    due_at: datetime
    status: str = Field(description="open or done.")
    outcome: str | None
    done_at: datetime | None
    note: str | None = Field(None, description="What the team noted when completing it.")
    escalated_at: datetime | None
    created_at: datetime
    overdue: bool = Field(description="Open and past its due date.")

    @classmethod
    def of(cls, follow_up: FollowUp, now: datetime) -> FollowUpOut:
        overdue = follow_up.status == "open" and follow_up.due_at < now
        return cls.model_validate(
            {**{k: getattr(follow_up, k) for k in cls.model_fields if k != "overdue"}, "overdue": overdue}
        )


class SignalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    signal_type: str
    quarter_id: str
    team_id: str
    concern_id: uuid.UUID | None
    person_id: uuid.UUID | None
    raised_by: str = Field(description="staff, kuemmerer or rule.")
    rule_id: str | None
    note: str | None
    raised_at: datetime
    follow_up: FollowUpOut | None = Field(None, description="The task the signal created for the quarter's team.")


class SignalPage(BaseModel):
    items: list[SignalOut]
    total: int
    page: int
    page_size: int


class FollowUpPage(BaseModel):
    items: list[FollowUpOut]
    total: int
    page: int
    page_size: int


class FollowUpDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: FollowUpOutcome = Field(
        description="How it ended. `contacted` needs the person's consent to follow-up contact.",
        examples=["contacted"],
    )
    note: Note | None = Field(None, max_length=2000, description="What the team noted; stays in intake.")
