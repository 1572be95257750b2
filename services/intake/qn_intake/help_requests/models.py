"""Requests for neighbourly help, handed to matching once the person's consent allows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import PERSONAL, UtcDateTime

from ..db import Base


class HelpRequest(Base):
    __tablename__ = "help_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concerns.id"), index=True)
    help_kind: Mapped[str] = mapped_column(String(40))
    weekly_slot: Mapped[dict[str, str] | None] = mapped_column(JSON)
    """Recurring help: {weekday, starts, ends} in local time (HH:MM); none for a one-off."""
    topics: Mapped[list[str]] = mapped_column(JSON)
    rule_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(30), default="requested", index=True)
    """needs_person, awaiting_consent (held in intake); requested (with matching), matched,
    completed, unmatched; cancelled"""
    asked_by: Mapped[str] = mapped_column(String(20), default="routing")
    """routing (the routing table), youth_office (the youth office asked for it for a minor)"""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    matched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    """Approved hours of the request's tasks, added up (as assignment.completed reports them)."""
    hours_source: Mapped[str | None] = mapped_column(String(10))
    """app, paper or mixed: where the approved hours come from."""
    unmatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unmatched_reason: Mapped[str | None] = mapped_column(String(40))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_reason: Mapped[str | None] = mapped_column(String(40))
    next_step: Mapped[str | None] = mapped_column(String(40))
    """What the team did after matching found nobody."""
    next_step_note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    next_step_by: Mapped[str | None] = mapped_column(String(200))
    next_step_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    concern: Mapped[Any] = relationship("Concern", back_populates="help_requests")
    assignments: Mapped[list[HelpAssignment]] = relationship(
        back_populates="help_request", order_by="HelpAssignment.accepted_at"
    )


class HelpAssignment(Base):
    """Who took a help request on, as `match.accepted` said (decision 0013): the pseudonyms of the
    volunteer's login and, in proxy mode, of the coordinator who accepted for them. The address
    route lets exactly them read the person's contact while the assignment is live."""

    __tablename__ = "help_assignments"

    match_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    help_request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("help_requests.id"), index=True)
    volunteer_ref: Mapped[uuid.UUID] = mapped_column(Uuid)
    volunteer_login: Mapped[str | None] = mapped_column(String(64), index=True)
    proxy_login: Mapped[str | None] = mapped_column(String(64), index=True)
    accepted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(40))
    """completed, match_cancelled, or why the help request ended (consent_withdrawn, person_erased ...)"""

    help_request: Mapped[HelpRequest] = relationship(back_populates="assignments")
