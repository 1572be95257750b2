"""What the consent API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from qn_contracts.vocabulary import ConsentPurpose, OrgId

# free text may span lines, but holds no other control characters (PostgreSQL refuses NUL)
Note = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose = Field(
        description="referral (to the named carrier), neighbourly_help, follow_up_contact.",
        examples=["neighbourly_help"],
    )
    carrier_id: OrgId | None = Field(
        None, description="The carrier the data may go to; required for purpose=referral.", examples=["caritas-dessau"]
    )
    given_by: Literal["person", "legal_representative", "guardian"] = Field(
        description="Who gave it: the person, the legal representative (rechtliche Betreuung) or a guardian.",
        examples=["person"],
    )
    form: Literal["written", "verbal", "electronic"] = Field(description="How it was given.", examples=["written"])
    given_at: AwareDatetime | None = Field(None, description="When it was given; now if left out.")
    expires_at: AwareDatetime | None = Field(None, description="When it ends by itself, if it does.")
    note: Note | None = Field(None, max_length=2000, description="Free text for the team; never leaves intake.")


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    purpose: str
    carrier_id: str | None
    given_by: str
    form: str
    given_at: datetime
    expires_at: datetime | None
    recorded_by: str
    note: str | None
    withdrawn_at: datetime | None
    withdrawn_recorded_by: str | None
    active: bool = Field(False, description="Not withdrawn and not expired, at the time of the answer.")


class ConsentRecordedOut(ConsentOut):
    released_help_requests: list[uuid.UUID] = Field(
        default_factory=list, description="Help requests that waited for this consent and went to matching now."
    )
    released_referrals: list[uuid.UUID] = Field(
        default_factory=list, description="Referrals that waited for this consent and went to the carrier now."
    )


class ConsentWithdrawnOut(ConsentOut):
    cancelled_help_requests: list[uuid.UUID] = Field(default_factory=list)
    cancelled_referrals: int = 0
    still_covered_by: uuid.UUID | None = Field(
        None, description="Another active consent for the same purpose (and carrier): processing continues under it."
    )
