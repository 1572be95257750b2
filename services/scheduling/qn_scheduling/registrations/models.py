"""Registrations for occurrences of offers with limited places. A registration holds places and,
at most, intake's pseudonymous person reference: never a resident's name."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (Index("ix_registrations_occurrence_status", "occurrence_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    occurrence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("occurrences.id"))
    offer_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    places: Mapped[int] = mapped_column(Integer)
    # intake's pseudonymous reference, when the person is known there; else an anonymous count
    person_ref: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(20))  # registered, waiting, cancelled
    # the order registrations came in, per occurrence: the waitlist moves up in this order
    position: Mapped[int] = mapped_column(Integer)
    registered_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    moved_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
