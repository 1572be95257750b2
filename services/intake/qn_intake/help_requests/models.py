"""Requests for neighbourly help, handed to matching once the person's consent allows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import UtcDateTime

from ..db import Base


class HelpRequest(Base):
    __tablename__ = "help_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concerns.id"), index=True)
    help_kind: Mapped[str] = mapped_column(String(40))
    topics: Mapped[list[str]] = mapped_column(JSON)
    rule_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(30), default="requested", index=True)
    """requested (sent to matching), awaiting_consent (held until neighbourly_help consent), cancelled"""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    concern: Mapped[Any] = relationship("Concern", back_populates="help_requests")
