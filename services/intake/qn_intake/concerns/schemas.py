"""What the concern API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from qn_contracts.vocabulary import AgeBand, Channel, Code, Urgency


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(min_length=1, max_length=200, description="Street as typed.", examples=["Franzstr."])
    house_number: str | None = Field(None, max_length=20, description="House number, with suffix.", examples=["147"])
    postcode: str | None = Field(None, max_length=10, description="Postcode, if known.", examples=["06842"])


class ConcernIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel = Field(description="How the concern reached the team.", examples=["walk_in"])
    topics: list[Code] = Field(min_length=1, max_length=14, description="Topic codes from the city's taxonomy.", examples=[["einsamkeit"]])
    urgency: Urgency = Field(description="immediate (sofort), soon (zeitnah), plannable (planbar).", examples=["soon"])
    address: AddressIn | None = Field(None, description="Address of the person concerned; resolves the quarter.")
    quarter_id: str | None = Field(None, max_length=64, description="Quarter, when no address is given.", examples=["innenstadt-sued"])
    age_band: AgeBand | None = Field(None, description="Age band, if known.", examples=["80_plus"])
    help_kind: Code | None = Field(None, description="Kind of neighbourly help wanted, if any.", examples=["shopping"])
    note: str | None = Field(None, max_length=4000, description="Free text for the team; never leaves intake.")


class ReferralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    target_kind: str
    target_id: str
    topics: list[str]
    rule_id: str | None
    status: str
    due_at: datetime


class HelpRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    help_kind: str
    topics: list[str]
    rule_id: str | None


class ConcernOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    channel: str
    topics: list[str]
    urgency: str
    quarter_id: str
    team_id: str
    street: str | None
    house_number: str | None
    postcode: str | None
    age_band: str | None
    note: str | None
    status: str
    recorded_at: datetime
    referrals: list[ReferralOut]
    help_requests: list[HelpRequestOut]
