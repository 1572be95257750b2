"""The reports announced so far: one row per version of a period's report, so that each version
is announced (`report.published`) once, however often it is printed. No figure, no person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class PublishedReport(Base):
    __tablename__ = "published_reports"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the period and every value the report shows: a new one for each new version."""
    report_id: Mapped[str] = mapped_column(String(36), unique=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
