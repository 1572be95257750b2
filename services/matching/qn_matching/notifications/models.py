"""Reminders sent (or tried): one row per reminder, so that a restart never sends one twice."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class SentReminder(Base):
    """A reminder is claimed (written here, committed) before it is handed to the channel: at most
    once, never twice. `key` says which reminder it is -- kind, subject and the moment it is about --
    so that a moved appointment or a new re-check date is a new reminder."""

    __tablename__ = "reminders"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    recipient: Mapped[str] = mapped_column(String(20))
    """volunteer or coordinator (never the address itself: that stays on the volunteer's record)"""
    volunteer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    match_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(20), index=True)
    """claimed, sent, no_address (nobody to send it to), failed (the channel refused; tried again)"""
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
