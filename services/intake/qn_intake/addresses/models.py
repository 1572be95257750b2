"""The imported street directory, kept in intake's database so every replica loads the same one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class StreetAddress(Base):
    __tablename__ = "street_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(5))
    house_number: Mapped[str | None] = mapped_column(String(20))
    locality: Mapped[str] = mapped_column(String(100), default="")
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)


class DirectoryImport(Base):
    __tablename__ = "directory_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
