"""What the hours API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from qn_contracts.vocabulary import HoursSource
from qn_infra.days import Day

from ..matches.schemas import Hours, Note
from .domain import ReturnReason
from .models import HoursEntry, Settlement


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: Hours = Field(description="Hours spent, in quarter hours (0.25 to 24).", examples=["1.5"])
    worked_on: Day | None = Field(None, description="The day the help was given.", examples=["2026-12-01"])
    source: HoursSource = Field(
        HoursSource.APP,
        description="app (logged now), or paper: a paper slip a coordinator enters later (coordinators only).",
        examples=["app"],
    )


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReturnReason = Field(description="Why: " + ", ".join(ReturnReason) + ".", examples=["wrong_hours"])
    note: Note | None = Field(
        None,
        max_length=2000,
        description="Words for the volunteer; stay in matching, never in an event.",
        examples=["Bitte die Fahrzeit nicht mitzählen."],
    )


class HoursEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    match_id: uuid.UUID
    hours: Decimal
    worked_on: date | None
    source: str = Field(description="app or paper.")
    status: str = Field(description="submitted (waits for a coordinator), approved or returned.")
    logged_by: str
    on_behalf: bool = Field(description="A coordinator entered it for the volunteer.")
    logged_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    return_reason: str | None
    return_note: str | None


class HoursSheetOut(BaseModel):
    match_id: uuid.UUID
    entries: list[HoursEntryOut]
    settled: bool = Field(description="The task is completed and assignment.completed reported its approved hours.")
    approved_hours: Decimal | None = Field(description="The approved hours reported, once settled.")
    hours_source: str | None = Field(description="app, paper or mixed, once settled.")

    @classmethod
    def of(cls, match_id: uuid.UUID, entries: list[HoursEntry], settlement: Settlement | None) -> HoursSheetOut:
        return cls(
            match_id=match_id,
            entries=[HoursEntryOut.model_validate(e) for e in entries],
            settled=settlement is not None,
            approved_hours=settlement.hours if settlement else None,
            hours_source=settlement.source if settlement else None,
        )
