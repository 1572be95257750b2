"""Help requests received from intake and the proposals (matches) made for them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qn_infra.database import UtcDateTime

from ..db import Base
from ..volunteers.models import Volunteer


class HelpRequest(Base):
    __tablename__ = "help_requests"

    # intake's id, not a new one: a redelivered HelpRequested cannot create a second request
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    concern_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    person_ref: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    quarter_id: Mapped[str] = mapped_column(String(64), index=True)
    help_kind: Mapped[str] = mapped_column(String(64))
    skills: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(20))
    wanted_by: Mapped[date | None] = mapped_column(Date)
    # recurring help: the weekly slot ({weekday, starts, ends}, local time) the one volunteer who
    # accepts keeps until the series ends; None: a one-off
    weekly_slot: Mapped[dict[str, str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    unmatched_reason: Mapped[str | None] = mapped_column(String(64))
    requested_event_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    matches: Mapped[list[Match]] = relationship(
        back_populates="help_request", lazy="selectin", order_by="Match.attempt"
    )


class Match(Base):
    __tablename__ = "matches"
    # one proposal per attempt, and never the same volunteer twice for one request
    __table_args__ = (
        UniqueConstraint("help_request_id", "attempt"),
        UniqueConstraint("help_request_id", "volunteer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    help_request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("help_requests.id"), index=True)
    volunteer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteers.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # ranking (asked one at a time), offered (to several at once) or assigned (by hand): `MatchVia`
    via: Mapped[str] = mapped_column(String(20), server_default="ranking", default="ranking")
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    decline_reason: Mapped[str | None] = mapped_column(String(64))
    # the volunteer's own words: stays here, never in an event or a log line
    decline_note: Mapped[str | None] = mapped_column(Text)
    # why this volunteer, as codes with their values (`reasons.py` has their words)
    reasons: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # when the volunteer goes, as agreed with the person after accepting (the reminder and the feed)
    appointment_starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    appointment_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    help_request: Mapped[HelpRequest] = relationship(back_populates="matches")
    volunteer: Mapped[Volunteer] = relationship(lazy="joined", innerjoin=True)


# One row (id 1): a counter the database moves itself, by triggers (migration 0007), on every
# change to a volunteer or an absence and on every new proposal (SQLite: the highest rowid of
# `matches` tells those, migration 0008) or change of a proposal's status -- whoever writes: a
# request, a job, a consumer, another replica. Equal states mean nothing that decides who can be
# proposed, or their load, has changed (`kept_pool.candidates_state`). On PostgreSQL a
# transaction moves it once, and `changed_in` names the transaction that did (SQLite: unused).
CANDIDATES_VERSION = Table(
    "candidates_version",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
    Column("changed_in", BigInteger, nullable=True),
)
