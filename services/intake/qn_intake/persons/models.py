"""Persons: the minimal personal data intake holds. It never leaves intake; events carry the random
`person_ref` only."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import PERSONAL, UtcDateTime

from ..db import Base


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_duplicate_key", "name_key", "birth_year", "street_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_ref: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    """Random pseudonymous reference used in events; means nothing outside intake."""
    given_name: Mapped[str | None] = mapped_column(String(100), info=PERSONAL)
    family_name: Mapped[str | None] = mapped_column(String(100), info=PERSONAL)
    birth_year: Mapped[int | None] = mapped_column(Integer, info=PERSONAL)
    phone: Mapped[str | None] = mapped_column(String(50), info=PERSONAL)
    email: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    street: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    house_number: Mapped[str | None] = mapped_column(String(20), info=PERSONAL)
    postcode: Mapped[str | None] = mapped_column(String(5), info=PERSONAL)
    quarter_id: Mapped[str | None] = mapped_column(String(64), index=True, info=PERSONAL)
    preferred_channel: Mapped[str | None] = mapped_column(String(20), info=PERSONAL)
    """phone, email, letter, home_visit, in_person"""
    preferred_language: Mapped[str | None] = mapped_column(String(8), info=PERSONAL)
    """ISO 639-1"""
    # folded keys for the duplicate suggestion (same name, birth year and street)
    name_key: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    street_key: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    team_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """The team that recorded the person (none for a coordinator without a team): its staff may
    see the person even before a concern links them."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """Set when the person's data was erased; the row keeps only ids."""
