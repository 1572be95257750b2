"""Referrals to carriers, offices and teams, and every status change they went through."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import UtcDateTime

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
    override_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30), default="requested", index=True)
    reason: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

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
    note: Mapped[str | None] = mapped_column(Text)

    referral: Mapped[Referral] = relationship(back_populates="transitions")
