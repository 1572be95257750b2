"""What the concern API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from qn_contracts.vocabulary import AgeBand, Channel, Code, Urgency

from ..help_requests.schemas import SLOT_DESCRIPTION, HelpRequestOut, WeeklySlotIn
from ..referrals.schemas import LabelledCode, LegalBasisIn, basis_out, next_step_out
from .domain import ContactChannel, Outcome

LANGUAGE = r"^[a-z]{2}$"


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(min_length=1, max_length=200, description="Street as typed.", examples=["Franzstr."])
    house_number: str | None = Field(None, max_length=20, description="House number, with suffix.", examples=["147"])
    postcode: str | None = Field(None, max_length=10, description="Postcode, if known.", examples=["06842"])


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, description="Latitude (WGS 84).", examples=[51.8296])
    lon: float = Field(ge=-180, le=180, description="Longitude (WGS 84).", examples=[12.2385])


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: Code = Field(description="The topic to send elsewhere.", examples=["schulden"])
    target_id: str = Field(min_length=1, max_length=64, description="Carrier, office or team.", examples=["awo-dessau"])
    reason: str = Field(
        min_length=3,
        max_length=500,
        description="Why the routing table is overridden.",
        examples=["Person wird dort bereits beraten"],
    )


class StatedBasisIn(LegalBasisIn):
    target_id: str = Field(
        min_length=1, max_length=64, description="The carrier or office this basis is for.", examples=["jugendamt-asd"]
    )


class ConcernIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel = Field(description="How the concern reached the team.", examples=["walk_in"])
    topics: list[Code] = Field(
        min_length=1,
        max_length=14,
        description="Topic codes from the city's taxonomy (GET /topics).",
        examples=[["einsamkeit"]],
    )
    urgency: Urgency = Field(description="immediate (sofort), soon (zeitnah), plannable (planbar).", examples=["soon"])
    person_id: uuid.UUID | None = Field(
        None, description="The person concerned (POST /persons); absent for an anonymous concern."
    )
    address: AddressIn | None = Field(
        None, description="Where the person lives or the situation is; resolves the quarter."
    )
    location: LocationIn | None = Field(
        None, description="Coordinates, when there is no address (resolved by the quarters' outlines)."
    )
    quarter_id: str | None = Field(
        None,
        max_length=64,
        description="Quarter, when neither address nor coordinates are given.",
        examples=["innenstadt-sued"],
    )
    age_band: AgeBand | None = Field(None, description="Age band, if known.", examples=["80_plus"])
    help_kind: Code | None = Field(
        None,
        max_length=40,
        description="Kind of neighbourly help wanted (shopping, small_repairs, escort, walk, reading, company, "
        "digital_help); only for topics the routing table sends to neighbourly help.",
        examples=["shopping"],
    )
    weekly_slot: WeeklySlotIn | None = Field(
        None, description=f"{SLOT_DESCRIPTION} Only for topics the routing table sends to neighbourly help."
    )
    contact_channel: ContactChannel | None = Field(
        None, description="How the person wants to be contacted about this concern.", examples=["phone"]
    )
    language: str | None = Field(
        None, pattern=LANGUAGE, description="Language to use with the person (ISO 639-1).", examples=["de"]
    )
    referral_overrides: list[OverrideIn] = Field(
        default_factory=list,
        max_length=14,
        description="Topics staff send elsewhere than the routing table, with a reason.",
    )
    legal_bases: list[StatedBasisIn] = Field(
        default_factory=list,
        max_length=14,
        description="For a referral of a known person to a carrier or office without the person's consent: the "
        "legal basis that allows it (otherwise it waits for a consent naming the target).",
    )
    note: str | None = Field(None, max_length=4000, description="Free text for the team; never leaves intake.")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = Field(  # type: ignore[valid-type]
        description="How the concern ended (`GET /vocabulary` lists them with labels).", examples=["resolved"]
    )
    note: str | None = Field(None, max_length=2000)


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(None, max_length=2000, description="Why the concern is reopened.")


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: ContactChannel = Field(description="How the contact happened.", examples=["phone"])
    reached: bool = Field(True, description="False for an attempt that did not reach the person.")
    at: AwareDatetime | None = Field(None, description="When, with a time zone (default: now); never in the future.")
    note: str | None = Field(None, max_length=2000)


class ReferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_id: str = Field(min_length=1, max_length=64, description="Carrier, office or team.", examples=["awo-dessau"])
    topic: Code = Field(description="The concern's topic this referral is about.", examples=["schulden"])
    more_topics: list[Code] = Field(default_factory=list, max_length=13)
    reason: str = Field(min_length=3, max_length=500, description="Why staff refer outside the routing table.")
    legal_basis: LegalBasisIn | None = Field(
        None, description="Where the person has not consented to this target: the legal basis that allows it."
    )


class PersonLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID = Field(description="The person the (so far anonymous) concern is about (POST /persons).")


class ConcernReferralOut(BaseModel):
    """A referral as its concern shows it to the team."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    target_kind: str
    target_id: str
    topics: list[str]
    rule_id: str | None
    overridden: bool
    override_reason: str | None
    status: str = Field(description="awaiting_consent (held in intake), then requested, accepted, ...")
    reason: str | None
    decided_by: str | None
    due_at: datetime
    escalated_at: datetime | None
    updated_at: datetime
    released_at: datetime | None
    legal_basis: LabelledCode | None
    next_step: LabelledCode | None

    @field_validator("legal_basis", mode="before")
    @classmethod
    def _basis(cls, value: object) -> object:
        return basis_out(value) if isinstance(value, str) or value is None else value

    @field_validator("next_step", mode="before")
    @classmethod
    def _next_step(cls, value: object) -> object:
        return next_step_out(value) if isinstance(value, str) or value is None else value


class HistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    kind: str
    detail: dict[str, Any]
    note: str | None


class ConcernOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID | None
    channel: str
    topics: list[str]
    urgency: str
    quarter_id: str
    team_id: str
    street: str | None
    house_number: str | None
    postcode: str | None
    age_band: str | None
    contact_channel: str | None
    language: str | None
    note: str | None
    status: str
    outcome: str | None
    recorded_by: str
    recorded_at: datetime
    last_contact_at: datetime | None
    closed_at: datetime | None
    referrals: list[ConcernReferralOut]
    help_requests: list[HelpRequestOut]
    history: list[HistoryOut]

    @field_validator("help_requests", mode="before")
    @classmethod
    def _help(cls, value: object) -> object:
        return [HelpRequestOut.of(h) if not isinstance(h, HelpRequestOut | dict) else h for h in value]  # type: ignore[attr-defined]
