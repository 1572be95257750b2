"""Volunteers (Ehrenamtliche). Name and contact are personal data: they stay in this table and
never enter an event or a log line; events carry `volunteer_ref` only."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base
from .domain import Slot


class Volunteer(Base):
    __tablename__ = "volunteers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # a second random id for events, so that the API id never travels to other services
    volunteer_ref: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(Text)
    # the `sub` of the volunteer's own login, so they can answer their proposals themselves
    account: Mapped[str | None] = mapped_column(String(200), unique=True)
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    availability: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(Slot.from_dict(raw) for raw in self.availability)
