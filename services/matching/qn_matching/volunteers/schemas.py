"""What the volunteer API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qn_contracts.vocabulary import Code, QuarterId, Weekday

from .domain import SETTABLE_STATUSES

ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
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
    languages: list[Language] = Field(
        default_factory=list, max_length=10, description="Languages spoken, ISO 639-1.", examples=[["de", "ru"]]
    )
    availability: list[SlotIn] = Field(
        default_factory=list, max_length=50, description="Weekly time windows, local time."
    )


# `applied` is where a registration starts; a coordinator cannot set it
SettableStatus = Enum("SettableStatus", {s.name: s.value for s in SETTABLE_STATUSES}, type=str)  # type: ignore[misc]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SettableStatus = Field(  # type: ignore[valid-type]
        description="New status: " + ", ".join(s.value for s in SETTABLE_STATUSES) + ".", examples=["paused"]
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
    account: str | None
    quarter_id: str
    skills: list[str]
    languages: list[str]
    availability: list[SlotOut]
    status: str
    registered_at: datetime
