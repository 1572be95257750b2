"""Consent as records: for what, given by whom and how, until when, and its withdrawal."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import PERSONAL, UtcDateTime

from ..db import Base


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    """referral (to the named carrier), neighbourly_help, follow_up_contact"""
    carrier_id: Mapped[str | None] = mapped_column(String(64))
    """For purpose=referral: the carrier or office the data may go to."""
    given_by: Mapped[str] = mapped_column(String(30))
    """person, legal_representative (rechtliche Betreuung), guardian"""
    form: Mapped[str] = mapped_column(String(20))
    """written, verbal, electronic"""
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_recorded_by: Mapped[str | None] = mapped_column(String(200))
