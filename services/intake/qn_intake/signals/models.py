"""Early-warning signals (Frühwarnsystem) and the follow-up tasks they create for a team."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import PERSONAL, UtcDateTime

from ..db import Base


class Signal(Base):
    __tablename__ = "signals"
    # a rule raises its signal once per concern
    __table_args__ = (UniqueConstraint("rule_id", "concern_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    signal_type: Mapped[str] = mapped_column(String(40))
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    concern_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("concerns.id"), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"), index=True)
    raised_by: Mapped[str] = mapped_column(String(20))
    """staff, kuemmerer, rule"""
    rule_id: Mapped[str | None] = mapped_column(String(64))
    raised_by_subject: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class FollowUp(Base):
    __tablename__ = "follow_ups"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    signal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("signals.id"), index=True)
    concern_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("concerns.id"), index=True)
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    """open, done"""
    outcome: Mapped[str | None] = mapped_column(String(40))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    """What the team noted when completing the task."""
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
