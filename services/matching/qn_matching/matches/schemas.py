"""What the help request and match API accepts and returns."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from qn_contracts.vocabulary import HoursSource
from qn_infra.days import Day

from .by_hand import Override
from .domain import DeclineReason
from .models import HelpRequest, Match
from .reasons import words

# free text may span lines but holds no other control characters (PostgreSQL refuses NUL)
Note = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]

# hours as text: 0.25 to 24 in quarter hours, written plainly ("1.5", "0.75", "24")
QUARTER_HOURS = r"^(?:(?:[1-9]|1[0-9]|2[0-3])(?:\.(?:0|00|25|5|50|75))?|0?\.(?:25|5|50|75)|24(?:\.00?)?)$"


def _plain_quarter_hours(value: object) -> object:
    """Text must say the hours as the schema does: pydantic would also read " 1.500" or "1_5"."""
    if isinstance(value, str) and not re.fullmatch(QUARTER_HOURS, value):
        raise PydanticCustomError(
            "string_pattern_mismatch", "String should match pattern '{pattern}'", {"pattern": QUARTER_HOURS}
        )
    return value


Hours = Annotated[
    Decimal,
    Field(gt=0, le=24, multiple_of=Decimal("0.25")),
    BeforeValidator(_plain_quarter_hours),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 24, "multipleOf": 0.25},
                {"type": "string", "pattern": QUARTER_HOURS},
            ]
        }
    ),
]


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: DeclineReason | None = Field(
        None, description="Why not: " + ", ".join(DeclineReason) + ".", examples=["no_time"]
    )
    note: Note | None = Field(
        None,
        max_length=2000,
        description="Free text for the coordinator, with any reason or none; stays in matching, never in an event.",
        examples=["Bin bis Monatsende verreist."],
    )


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: Hours | None = Field(
        None,
        description="The last hours spent, in quarter hours (0.25 to 24); leave out when they are logged already. "
        "A volunteer's hours wait for a coordinator's approval; assignment.completed reports the approved ones.",
        examples=["1.5"],
    )
    worked_on: Day | None = Field(None, description="The day of those hours.", examples=["2026-12-01"])
    source: HoursSource = Field(
        HoursSource.APP, description="app, or paper: a paper slip a coordinator enters later.", examples=["app"]
    )


OVERRIDES_DESCRIPTION = (
    "Soft rules you set aside for this task, after talking to the volunteer: out_of_reach (the quarter lies "
    "beyond the reach they gave), at_capacity (they have as many open tasks as they wanted). The hard rules "
    "(active, not away, offers the help, police certificate where needed, available, the weekly slot) cannot "
    "be set aside. The task log keeps what you overrode."
)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    volunteer_id: uuid.UUID = Field(description="The volunteer who takes the task on.")
    overrides: list[Override] = Field(
        default_factory=list, max_length=len(Override), description=OVERRIDES_DESCRIPTION, examples=[["out_of_reach"]]
    )


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    volunteer_ids: list[uuid.UUID] = Field(
        min_length=2,
        max_length=10,
        description="2 to 10 different volunteers; the first to accept gets the task, the others' offers are "
        "withdrawn at once.",
    )
    overrides: list[Override] = Field(
        default_factory=list,
        max_length=len(Override),
        description=OVERRIDES_DESCRIPTION + " Applies to every volunteer named.",
        examples=[["at_capacity"]],
    )


class SlotOut(BaseModel):
    weekday: str = Field(examples=["tu"])
    starts: str = Field(examples=["10:00"])
    ends: str = Field(examples=["11:30"])


class ReasonOut(BaseModel):
    code: str = Field(examples=["speaks"])
    de: str = Field(examples=["spricht ru wie die Person"])
    en: str = Field(examples=["speaks ru as the person does"])


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
    via: str = Field(
        description="How it came about: ranking (asked one at a time), offered (to several at once) or assigned "
        "(by a coordinator, by hand)."
    )
    score: float
    reasons: list[ReasonOut] = Field(description="Why this volunteer was asked, in German and English.")
    status: str = Field(
        description="proposed, accepted, declined, expired, completed, cancelled, or withdrawn (offered to several "
        "and claimed by another first, or replaced by a coordinator's choice)."
    )
    proposed_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    decline_reason: str | None
    decline_note: str | None = Field(description="The volunteer's free text on a decline, if any.")
    completed_at: datetime | None
    hours: Decimal | None
    appointment_starts_at: datetime | None = Field(None, description="When the volunteer goes, as agreed.")
    appointment_ends_at: datetime | None = None

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
            via=match.via or "ranking",
            score=match.score,
            reasons=[
                ReasonOut(code=str(r.get("code")), de=w[0], en=w[1]) for r in match.reasons or () for w in [words(r)]
            ],
            status=match.status,
            proposed_at=match.proposed_at,
            expires_at=match.expires_at,
            answered_at=match.answered_at,
            decline_reason=match.decline_reason,
            decline_note=match.decline_note,
            completed_at=match.completed_at,
            hours=match.hours,
            appointment_starts_at=match.appointment_starts_at,
            appointment_ends_at=match.appointment_ends_at,
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
    weekly_slot: SlotOut | None = Field(
        description="Recurring help: the weekly slot the volunteer who accepts keeps; empty for a one-off."
    )
    status: str = Field(description="proposed (waiting for an answer), matched, unmatched, completed, cancelled.")
    unmatched_reason: str | None = Field(description="no_candidates, all_declined or all_expired.")
    received_at: datetime
    updated_at: datetime
    matches: list[MatchOut]

    @classmethod
    def of(cls, request: HelpRequest) -> HelpRequestOut:
        fields = {name: getattr(request, name) for name in cls.model_fields if name != "matches"}
        return cls(**fields, matches=[MatchOut.of(m) for m in request.matches])


class TaskLogOut(BaseModel):
    action: str = Field(
        description="assigned (by hand), offered (to several), withdrawn, accepted, declined, completed, "
        "hours_logged, hours_approved, hours_returned.",
        examples=["accepted"],
    )
    actor: str = Field(description="Who did it (login).")
    on_behalf_of: uuid.UUID | None = Field(
        description="The volunteer a coordinator acted for (proxy mode); empty when the volunteer acted themself."
    )
    hours_entry_id: uuid.UUID | None
    overrides: list[str] | None = Field(
        None,
        description="Assigned or offered by hand: the soft rules the coordinator set aside (out_of_reach, "
        "at_capacity) and not_first where the ranking would have asked someone else first.",
    )
    at: datetime


class AppointmentIn(BaseModel):
    """When the volunteer goes, as agreed with the person after accepting."""

    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime = Field(
        description="Start, with its offset (ISO 8601).", examples=["2026-12-08T10:00:00+01:00"]
    )
    ends_at: AwareDatetime | None = Field(
        None, description="End, after the start and within 24 hours.", examples=["2026-12-08T11:30:00+01:00"]
    )
