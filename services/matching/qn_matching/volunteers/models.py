"""Volunteers (Ehrenamtliche). Name and contact are personal data: they stay in this table and
never enter an event or a log line; events carry `volunteer_ref` only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import UtcDateTime

from ..db import Base
from .domain import Slot


class Volunteer(Base):
    __tablename__ = "volunteers"
    # the candidates of a request: the active volunteers of a few quarters (without it, SQLite
    # walks every active volunteer of the city by the status index)
    __table_args__ = (Index("ix_volunteers_quarter_id_status", "quarter_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # a second random id for events, so that the API id never travels to other services
    volunteer_ref: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(Text)
    # where reminders go (optional): personal data, it never leaves matching but for the mail itself
    email: Mapped[str | None] = mapped_column(String(320))
    # the `sub` of the volunteer's own login, so they can answer their proposals themselves
    account: Mapped[str | None] = mapped_column(String(200), unique=True)
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON)
    # {skill: basic | experienced | expert}, for the skills they gave a level for
    skill_levels: Mapped[dict[str, str] | None] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    availability: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # where they help: own_quarter, neighbours, or distance (reach_km between quarter centroids)
    reach: Mapped[str] = mapped_column(String(20), server_default="own_quarter")
    reach_km: Mapped[float | None] = mapped_column(Float)
    # at most this many open proposals and tasks at once (None: no cap)
    max_open_tasks: Mapped[int | None] = mapped_column(Integer)
    # vetting (§ 72a SGB VIII): who inspected the extended police certificate, its date, whether
    # it has no relevant entry, when to check again -- never the document or what it says
    vetting_inspected_by: Mapped[str | None] = mapped_column(String(200))
    vetting_certificate_date: Mapped[date | None] = mapped_column(Date)
    vetting_no_relevant_entry: Mapped[bool | None] = mapped_column(Boolean)
    vetting_recheck_on: Mapped[date | None] = mapped_column(Date, index=True)
    vetting_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # why an engagement ended (status inactive): moved, quit, dismissed, deceased, opted_out
    archive_reason: Mapped[str | None] = mapped_column(String(20))
    # what a self-registration was answered with: the applicant quotes it when they call
    application_ref: Mapped[str | None] = mapped_column(String(20), unique=True)
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_changed_by: Mapped[str | None] = mapped_column(String(200))

    absences: Mapped[list[Absence]] = relationship(
        lazy="selectin", order_by="Absence.starts_on", cascade="all, delete-orphan"
    )

    @property
    def vetting(self) -> dict[str, object] | None:
        if self.vetting_certificate_date is None:
            return None
        return {
            "inspected_by": self.vetting_inspected_by,
            "certificate_date": self.vetting_certificate_date,
            "no_relevant_entry": self.vetting_no_relevant_entry,
            "recheck_on": self.vetting_recheck_on,
        }

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(Slot.from_dict(raw) for raw in self.availability)


class Absence(Base):
    """A pause with a date range (holiday, illness): no proposal while it lasts."""

    __tablename__ = "volunteer_absences"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    volunteer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteers.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(20))
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
