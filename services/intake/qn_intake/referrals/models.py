"""Referrals to carriers, offices and teams, and every status change they went through."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import PERSONAL, UtcDateTime

from ..db import Base


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concerns.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    topics: Mapped[list[str]] = mapped_column(JSON)
    rule_id: Mapped[str | None] = mapped_column(String(64))
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    status: Mapped[str] = mapped_column(String(30), default="requested", index=True)
    """awaiting_consent (held in intake), then the closed loop: requested, accepted, ..."""
    reason: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the referral left intake (was announced to its target); None while it is held."""
    legal_basis: Mapped[str | None] = mapped_column(String(40))
    """Why its data may go to the target: `consent`, a legal basis code, or None (anonymous, team)."""
    consent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    """The consent that allowed it, for legal_basis = consent."""
    legal_basis_note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    legal_basis_by: Mapped[str | None] = mapped_column(String(200))
    legal_basis_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_step: Mapped[str | None] = mapped_column(String(40))
    """What the referring team did after a decline or failure (another way found, ...)."""
    next_step_note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    next_step_by: Mapped[str | None] = mapped_column(String(200))
    next_step_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    concern: Mapped[Any] = relationship("Concern", back_populates="referrals")
    transitions: Mapped[list[ReferralTransition]] = relationship(
        back_populates="referral", lazy="selectin", order_by="ReferralTransition.id"
    )


class ReferralTransition(Base):
    __tablename__ = "referral_transitions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    actor_org: Mapped[str | None] = mapped_column(String(64))
    from_status: Mapped[str] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)

    referral: Mapped[Referral] = relationship(back_populates="transitions")
