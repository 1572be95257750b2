"""Concerns (Anliegen), their history, and idempotent submissions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import PERSONAL, UtcDateTime

from ..db import Base


class Concern(Base):
    __tablename__ = "concerns"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"), index=True)
    """None for an anonymous concern."""
    channel: Mapped[str] = mapped_column(String(40))
    topics: Mapped[list[str]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(20))
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    street: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    house_number: Mapped[str | None] = mapped_column(String(20), info=PERSONAL)
    postcode: Mapped[str | None] = mapped_column(String(5), info=PERSONAL)
    age_band: Mapped[str | None] = mapped_column(String(20))
    contact_channel: Mapped[str | None] = mapped_column(String(20), info=PERSONAL)
    """How the person wants to be contacted about this concern: phone, email, letter, home_visit, in_person, none."""
    language: Mapped[str | None] = mapped_column(String(8), info=PERSONAL)
    """Language for talking to the person (ISO 639-1)."""
    # free text may hold personal data: it stays in intake and never enters an event or a log
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    """open, closed"""
    outcome: Mapped[str | None] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_contact_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    referrals: Mapped[list[Any]] = relationship(
        "Referral", back_populates="concern", lazy="selectin", order_by="Referral.created_at"
    )
    help_requests: Mapped[list[Any]] = relationship(
        "HelpRequest", back_populates="concern", lazy="selectin", order_by="HelpRequest.created_at"
    )
    history: Mapped[list[ConcernEvent]] = relationship(
        back_populates="concern", lazy="selectin", order_by="ConcernEvent.id"
    )


class ConcernEvent(Base):
    """What happened to a concern, in order: recorded, contact, closed, reopened, routing override."""

    __tablename__ = "concern_history"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concerns.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    """recorded, contact, closed, reopened, routing_overridden, person_linked, help_matched, ..."""
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Codes and ids only; anything a person typed goes into `note`."""
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)

    concern: Mapped[Concern] = relationship(back_populates="history")


class IdempotencyRecord(Base):
    """The first answer to a request sent with an `Idempotency-Key` header, replayed for repeats."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    principal: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    request: Mapped[str] = mapped_column(String(300))
    """Method and route, e.g. 'POST /concerns'."""
    request_hash: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(36))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, info=PERSONAL)
    """The first answer, replayed for a repeat: it holds the concern's address and note."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
