"""What the volunteer API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from qn_contracts.vocabulary import Code, QuarterId, Weekday
from qn_infra.days import Day

from .domain import SETTABLE_STATUSES, AbsenceReason, ArchiveReason, SkillLevel

ReachCode = Literal["own_quarter", "neighbours", "distance"]
REACH_DESCRIPTION = (
    "Where they help: own_quarter, neighbours (quarters sharing a border with theirs) or distance "
    "(quarters whose centre lies within reach_km of their own quarter's)."
)
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
LEVELS_DESCRIPTION = (
    "How well they do a skill they offer: basic, experienced or expert (per skill, optional). Where the kind "
    "of help asks for a level (QN_MATCHING_SKILL_LEVELS_WANTED), volunteers who have it are asked first."
)
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class SlotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: Weekday = Field(description="mo, tu, we, th, fr, sa, su.", examples=["mo"])
    starts: ClockTime = Field(description="Local time the window starts (HH:MM).", examples=["10:00"])
    ends: ClockTime = Field(description="Local time the window ends (HH:MM), after `starts`.", examples=["12:00"])


class VolunteerIn(BaseModel):
    # stripped before the length checks: a name of blanks is no name
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str = Field(
        min_length=1, max_length=200, description="How the team calls the volunteer.", examples=["Renate K."]
    )
    contact: str | None = Field(
        None,
        max_length=1000,
        description="Phone or e-mail, free text; never leaves matching.",
        examples=["0340 123456"],
    )
    email: EmailStr | None = Field(
        None,
        max_length=320,
        description="Where reminders go (optional; without it no reminder is sent); never leaves matching.",
        examples=["renate.k@example.org"],
    )
    account: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="`sub` of the volunteer's own login, so they can answer proposals themselves.",
        examples=["renate.k"],
    )
    quarter_id: QuarterId = Field(description="Quarter the volunteer helps in.", examples=["innenstadt-sued"])
    skills: list[Code] = Field(
        min_length=1, max_length=20, description="Skill codes (lower case).", examples=[["shopping", "walk"]]
    )
    skill_levels: dict[Code, SkillLevel] | None = Field(
        None,
        max_length=20,
        description=LEVELS_DESCRIPTION,
        examples=[{"small_repairs": "expert"}],
    )
    languages: list[Language] = Field(
        default_factory=list, max_length=10, description="Languages spoken, ISO 639-1.", examples=[["de", "ru"]]
    )
    availability: list[SlotIn] = Field(
        default_factory=list, max_length=50, description="Weekly time windows, local time."
    )
    reach: ReachCode = Field("own_quarter", description=REACH_DESCRIPTION, examples=["neighbours"])
    reach_km: float | None = Field(
        None, gt=0, description="With reach=distance: kilometres between quarter centres.", examples=[3.0]
    )
    max_open_tasks: int | None = Field(
        None, ge=1, le=20, description="At most this many open proposals and tasks at once.", examples=[2]
    )


class ApplicationIn(BaseModel):
    """A self-registration without a login: what the form asks (no login yet; a coordinator links
    one on approval)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str = Field(
        min_length=1, max_length=200, description="How the team may call you.", examples=["Renate K."]
    )
    contact: str = Field(
        min_length=3,
        max_length=300,
        description="Phone or e-mail, so the team can reach you; never leaves matching.",
        examples=["0340 123456"],
    )
    email: EmailStr | None = Field(
        None,
        max_length=320,
        description="Where reminders go (optional; without it no reminder is sent); never leaves matching.",
        examples=["renate.k@example.org"],
    )
    quarter_id: QuarterId = Field(description="The quarter you live in.", examples=["innenstadt-sued"])
    skills: list[Code] = Field(
        min_length=1, max_length=20, description="What you would like to help with.", examples=[["shopping", "walk"]]
    )
    languages: list[Language] = Field(
        default_factory=list, max_length=10, description="Languages you speak, ISO 639-1.", examples=[["de"]]
    )
    availability: list[SlotIn] = Field(
        default_factory=list, max_length=30, description="When you have time each week, local time."
    )
    reach: ReachCode = Field("own_quarter", description=REACH_DESCRIPTION, examples=["neighbours"])
    reach_km: float | None = Field(
        None, gt=0, description="With reach=distance: kilometres between quarter centres.", examples=[3.0]
    )
    max_open_tasks: int | None = Field(
        None, ge=1, le=20, description="At most this many open proposals and tasks at once.", examples=[2]
    )


class ApplicationReceived(BaseModel):
    reference: str = Field(
        description="Quote it when you call the team; nothing you sent is repeated here.", examples=["QN-7K3M-X9PD"]
    )


class ProfileIn(BaseModel):
    """What a volunteer changes about their own offer; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    skills: list[Code] | None = Field(None, min_length=1, max_length=20, examples=[["shopping", "walk"]])
    skill_levels: dict[Code, SkillLevel] | None = Field(
        None, max_length=20, description=LEVELS_DESCRIPTION + " null: none.", examples=[{"small_repairs": "expert"}]
    )
    languages: list[Language] | None = Field(None, max_length=10, examples=[["de", "ru"]])
    availability: list[SlotIn] | None = Field(None, max_length=50, description="Weekly time windows, local time.")
    reach: ReachCode | None = Field(None, description=REACH_DESCRIPTION + " Give reach_km with distance.")
    reach_km: float | None = Field(None, gt=0, examples=[3.0])
    max_open_tasks: int | None = Field(None, ge=1, le=20, description="null: no cap.", examples=[2])
    email: EmailStr | None = Field(
        None, max_length=320, description="Where reminders go; null: no reminders.", examples=["renate.k@example.org"]
    )


class AbsenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: Day = Field(description="First day away.", examples=["2026-12-21"])
    ends_on: Day = Field(description="Last day away (inclusive).", examples=["2027-01-03"])
    reason: AbsenceReason = Field(AbsenceReason.HOLIDAY, description="holiday, illness or other.", examples=["holiday"])


class VettingIn(BaseModel):
    """What is kept of an inspected extended police certificate: never the document or its content."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    certificate_date: Day = Field(description="The date the certificate was issued.", examples=["2026-11-02"])
    no_relevant_entry: bool = Field(description="True: no entry relevant under § 72a SGB VIII.", examples=[True])
    recheck_on: Day | None = Field(
        None, description="When to see a new certificate; default: the configured years after its date."
    )
    inspected_by: str | None = Field(
        None, min_length=1, max_length=200, description="Who inspected it; default: the caller.", examples=["anna"]
    )


class VettingOut(BaseModel):
    inspected_by: str | None
    certificate_date: date
    no_relevant_entry: bool | None
    recheck_on: date | None


class AbsenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str


# `prospective` is where a self-registration starts; a coordinator cannot set it
SettableStatus = Enum("SettableStatus", {s.name: s.value for s in SETTABLE_STATUSES}, type=str)  # type: ignore[misc]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SettableStatus = Field(  # type: ignore[valid-type]
        description="New status: " + ", ".join(s.value for s in SETTABLE_STATUSES) + ".", examples=["paused"]
    )
    archive_reason: ArchiveReason | None = Field(
        None,
        description="Required with `inactive`, not allowed otherwise: " + ", ".join(ArchiveReason) + ".",
        examples=["moved"],
    )
    account: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Links the volunteer's login (`sub`), e.g. on approving a self-registration.",
        examples=["renate.k"],
    )


class SlotOut(BaseModel):
    weekday: str
    starts: str
    ends: str


class VolunteerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    volunteer_ref: uuid.UUID
    display_name: str
    contact: str | None
    email: str | None = Field(description="Where reminders go; without it none is sent (see GET /reminders).")
    account: str | None
    quarter_id: str
    skills: list[str]
    skill_levels: dict[str, str] | None = Field(description="basic, experienced or expert per skill, where given.")
    languages: list[str]
    availability: list[SlotOut]
    status: str
    archive_reason: str | None = Field(description="Why an engagement ended (status inactive).")
    application_ref: str | None = Field(description="The reference a self-registration was answered with.")
    registered_at: datetime
    absences: list[AbsenceOut] = Field(description="Pauses with a date range, past ones included.")
    reach: str
    reach_km: float | None
    max_open_tasks: int | None
    vetting: VettingOut | None = Field(description="The police-certificate check, if one was recorded.")
