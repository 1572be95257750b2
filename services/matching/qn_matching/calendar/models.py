"""A volunteer's personal calendar feed: only the hash of its secret token is kept."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class CalendarFeed(Base):
    """At most one feed per volunteer; renewing replaces the token, revoking deletes the row."""

    __tablename__ = "calendar_feeds"

    volunteer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteers.id"), primary_key=True)
    # SHA-256 of the token: a leaked database does not hand out working links
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
