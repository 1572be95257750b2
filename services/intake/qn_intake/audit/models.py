"""The audit log of reads of personal data: who, when, for what purpose, what. Append-only: the
migration installs database triggers that refuse UPDATE and DELETE on this table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    actor_roles: Mapped[str] = mapped_column(String(200))
    actor_org: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(50))
    """case_work, referral, duplicate_check, follow_up, erasure ..."""
    action: Mapped[str] = mapped_column(String(20))
    """read, export, erase"""
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    """The person's id (never a name)."""
    fields: Mapped[list[str]] = mapped_column(JSON)
    correlation_id: Mapped[str | None] = mapped_column(String(100))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    """Whom the reader acted for: a coordinator reading an address for a volunteer's task
    (proxy mode) names the volunteer's `volunteer_ref`."""
