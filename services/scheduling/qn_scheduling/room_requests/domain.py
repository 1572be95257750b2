"""Rules for carriers' room requests. No framework, no database: plain data in, decisions out.

A carrier asks for one slot or a series (an RFC 5545 rule in local wall-clock time); days the
site is closed (public holidays, closures) are left out and named. The site's coordinator
approves (every slot is booked at once) or rejects with a reason code and a note."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from qn_infra.errors import Conflict, Invalid, NotFound

from ..bookings.rules import Period
from ..offers import recurrence
from ..offers.calendar_rules import blocker_on, within_hours
from ..sites.domain import Closure, Window


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class RejectReason(StrEnum):
    """Why the coordinator says no; free words (German) go in the note."""

    ROOM_NEEDED_OTHERWISE = "room_needed_otherwise"
    QUOTA = "quota"
    NOT_SUITABLE = "not_suitable"
    SITE_CLOSED = "site_closed"
    OTHER = "other"


@dataclass(frozen=True)
class RequestRoom:
    site_id: str
    room_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    org_id: str | None = None
    purpose: str | None = None
    rrule: str | None = None


@dataclass(frozen=True)
class Slots:
    taking_place: list[Period]
    skipped: list[tuple[datetime, str]]  # start, and the holiday's or closure's name


class RequestNotFound(NotFound):
    code = "request_not_found"


class RequestDecided(Conflict):
    code = "request_not_pending"


class NoSlots(Invalid):
    code = "no_slots"


class SlotOutsideHours(Invalid):
    code = "outside_opening_hours"


def slots(
    cmd: RequestRoom,
    *,
    tz: ZoneInfo,
    state: str | None,
    closures: Sequence[Closure],
    hours: Sequence[Window],
) -> Slots:
    """The slots a request asks for, the series expanded; closed days left out, and every slot
    within the opening hours of its day (422 naming `rrule` for the first that is not)."""
    first = cmd.starts_at.astimezone(tz)
    duration = cmd.ends_at - cmd.starts_at
    starts = recurrence.expand(recurrence.normalise_rule(cmd.rrule, tz), first) if cmd.rrule else [first]
    taking_place: list[Period] = []
    skipped: list[tuple[datetime, str]] = []
    for start in starts:
        blocker = blocker_on(start.date(), state, closures)
        if blocker is not None:
            skipped.append((start, blocker.label))
            continue
        end = start + duration
        if not within_hours(start, end, hours, tz):
            raise SlotOutsideHours(
                f"Der Termin am {start:%d.%m.%Y} um {start:%H:%M} liegt außerhalb der Öffnungszeiten.",
                f"The slot on {start:%Y-%m-%d} at {start:%H:%M} is outside the opening hours.",
                field="rrule" if cmd.rrule else "starts_at",
            )
        taking_place.append((start, end))
    if not taking_place:
        raise NoSlots(
            "An keinem der angefragten Tage ist der Standort geöffnet (Feiertage, Schließzeiten).",
            "The site is open on none of the requested days (public holidays, closures).",
            field="rrule" if cmd.rrule else "starts_at",
        )
    return Slots(taking_place, skipped)


def encode(periods: Sequence[Period]) -> list[list[str]]:
    return [[start.astimezone(ZoneInfo("UTC")).isoformat(), end.astimezone(ZoneInfo("UTC")).isoformat()]
            for start, end in periods]  # fmt: skip


def still_ahead(periods: Sequence[Period], now: datetime) -> list[Period]:
    """The slots not yet begun: approving late books only what can still take place."""
    return [(start, end) for start, end in periods if start >= now]


def check_pending(status: str) -> None:
    if status != RequestStatus.PENDING:
        raise RequestDecided(
            f"Über diese Anfrage ist schon entschieden ({status}).",
            f"This request has already been decided ({status}).",
        )


def request_not_found(request_id: uuid.UUID) -> RequestNotFound:
    return RequestNotFound(
        f"Raumanfrage {request_id} gibt es nicht.", f"Room request {request_id} does not exist.", field="request_id"
    )


def nothing_left(field: str = "request_id") -> NoSlots:
    return NoSlots(
        "Alle Termine dieser Anfrage liegen in der Vergangenheit.",
        "Every slot of this request lies in the past.",
        field=field,
    )
