"""Hours given on a task: each entry as logged (in the app or from a paper slip) and decided by a
coordinator, and the settlement that reports a completed task's approved hours once."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class HoursEntry(Base):
    __tablename__ = "hours_entries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    match_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("matches.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    worked_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10))
    """app or paper (a paper slip a coordinator entered later)"""
    status: Mapped[str] = mapped_column(String(20), index=True)
    """submitted, approved or returned"""
    logged_by: Mapped[str] = mapped_column(String(200))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    """A coordinator entered it for the volunteer."""
    logged_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    return_reason: Mapped[str | None] = mapped_column(String(40))
    # the coordinator's words to the volunteer: stay here, never in an event or a log line
    return_note: Mapped[str | None] = mapped_column(Text)


class Settlement(Base):
    """A completed task whose hours are all decided: `assignment.completed` went out with these."""

    __tablename__ = "hours_settlements"

    match_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("matches.id"), primary_key=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    source: Mapped[str | None] = mapped_column(String(10))
    settled_at: Mapped[datetime] = mapped_column(UtcDateTime)
