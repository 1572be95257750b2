"""Persons: the minimal personal data intake holds. It never leaves intake; events carry the random
`person_ref` only."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_duplicate_key", "name_key", "birth_year", "street_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_ref: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    """Random pseudonymous reference used in events; means nothing outside intake."""
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(5))
    quarter_id: Mapped[str | None] = mapped_column(String(64), index=True)
    preferred_channel: Mapped[str | None] = mapped_column(String(20))
    """phone, email, letter, home_visit, in_person"""
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    """ISO 639-1"""
    # folded keys for the duplicate suggestion (same name, birth year and street)
    name_key: Mapped[str | None] = mapped_column(String(200))
    street_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """Set when the person's data was erased; the row keeps only ids."""
