"""Carriers' requests for rooms, waiting for the site's coordinator. Titles are organisational
("Schuldnerberatung Caritas"), never a resident's name; the coordinator's note stays here."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.database import UtcDateTime

from ..db import Base


class RoomRequest(Base):
    """One slot or a series of slots (`slots`: [[start, end], ...] in UTC, RFC 3339) a carrier asks
    for; approving books them all at once, in the same table as every other booking."""

    __tablename__ = "room_requests"
    __table_args__ = (
        ForeignKeyConstraint(["site_id", "room_id"], ["rooms.site_id", "rooms.room_id"]),
        Index("ix_room_requests_site_status", "site_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(64))
    rrule: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    slots: Mapped[list[list[str]]] = mapped_column(JSON)
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list)  # local days left out (holidays, closures)
    status: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(String(64))
    # free text of the coordinator (why rejected, what to do instead): never in an event or a log line
    note: Mapped[str | None] = mapped_column(Text)
    booking_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
