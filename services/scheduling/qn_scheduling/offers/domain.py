"""Rules for offers (recurring programme items) and their occurrences. No framework, no database.

An offer is what residents see in the programme ("Mittagstisch, Mo/Mi/Fr 11–13"); each of its
occurrences holds one booking of the offer's room, so that single bookings and series collide
with each other in one table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from qn_contracts.vocabulary import OfferKind
from qn_infra.errors import Conflict, Invalid, NotFound

from ..bookings.domain import Slot
from .calendar_rules import Planned


class Cost(StrEnum):
    FREE = "free"
    CONTRIBUTION = "contribution"


class Scope(StrEnum):
    """Which occurrences an edit changes."""

    OCCURRENCE = "occurrence"
    FOLLOWING = "following"
    SERIES = "series"


@dataclass(frozen=True)
class OfferDetails:
    """What the programme says about an offer; none of it changes when or where it is."""

    title: str
    kind: OfferKind
    description: str | None = None
    org_id: str | None = None
    target_groups: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    capacity: int | None = None
    registration_required: bool = False
    cost: Cost = Cost.FREE
    accessibility: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class When:
    """When and where an offer takes place: local times in the city's zone, an RFC 5545 rule."""

    room_id: str
    first_day: date
    starts: time
    ends: time
    rrule: str
    exdates: tuple[date, ...] = ()

    def first_start(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.first_day, self.starts, tz)

    @property
    def duration(self) -> timedelta:
        return datetime.combine(self.first_day, self.ends) - datetime.combine(self.first_day, self.starts)


@dataclass(frozen=True)
class Collision:
    planned: Planned
    slot: Slot


@dataclass
class SeriesPlan:
    """An offer's occurrences as they would be saved, with what collides."""

    planned: list[Planned]
    collisions: list[Collision] = field(default_factory=list)

    @property
    def taking_place(self) -> list[Planned]:
        return [p for p in self.planned if p.status.value in ("scheduled", "pending_approval")]


class OfferNotFound(NotFound):
    code = "offer_not_found"


class OccurrenceNotFound(NotFound):
    code = "occurrence_not_found"


class InvalidOffer(Invalid):
    code = "invalid_offer"


class InPast(Invalid):
    code = "in_the_past"


class SeriesCollides(Conflict):
    code = "series_collides"


class OccurrenceNotChangeable(Conflict):
    code = "occurrence_not_changeable"


def check_when(when: When, *, now: datetime, tz: ZoneInfo) -> None:
    if when.ends <= when.starts:
        raise InvalidOffer(
            f"Das Ende {when.ends:%H:%M} muss nach dem Beginn {when.starts:%H:%M} liegen.",
            f"The end {when.ends:%H:%M} must be after the start {when.starts:%H:%M}.",
            field="ends",
        )
    if when.first_start(tz) < now:
        raise in_the_past("first_day")


def check_topics(topics: Sequence[str], known: frozenset[str]) -> None:
    for index, topic in enumerate(topics):
        if known and topic not in known:
            raise InvalidOffer(
                f"Thema '{topic}' gibt es nicht. Bekannt: {', '.join(sorted(known))}.",
                f"Unknown topic '{topic}'. Known: {', '.join(sorted(known))}.",
                field=f"topics.{index}",
            )


def in_the_past(field_name: str) -> InPast:
    return InPast(
        "Termine in der Vergangenheit können nicht gebucht werden.",
        "Occurrences in the past cannot be booked.",
        field=field_name,
    )


def collisions(planned: Sequence[Planned], slots: Sequence[Slot]) -> list[Collision]:
    """Every occurrence that overlaps an existing booking, in one sorted pass over both lists
    (both sorted by start); each occurrence names the earliest booking it collides with."""
    occurrences = sorted((p for p in planned if p.status.value != "skipped"), key=lambda p: p.starts_at)
    ordered = sorted(slots, key=lambda s: s.starts_at)
    found, first = [], 0
    for occurrence in occurrences:
        # bookings that end before this occurrence starts end before every later one too
        while first < len(ordered) and ordered[first].ends_at <= occurrence.starts_at:
            first += 1
        index = first
        while index < len(ordered) and ordered[index].starts_at < occurrence.ends_at:
            if ordered[index].ends_at > occurrence.starts_at:
                found.append(Collision(occurrence, ordered[index]))
                break
            index += 1
    return found


def _when(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    local = moment.astimezone(tz)
    return f"{local:%d.%m.%Y %H:%M}" if lang == "de" else f"{local:%Y-%m-%d %H:%M}"


def summary(plan: SeriesPlan, tz: ZoneInfo, lang: str, *, named: Sequence[bool]) -> str:
    """E.g. "3 von 104 Terminen kollidieren: 02.06.2027 11:00 (Suchtberatung), …"; a booking the
    caller may not see is given by its time only."""
    total, hits = len(plan.taking_place), plan.collisions
    if not hits:
        return f"Keiner von {total} Terminen kollidiert." if lang == "de" else f"None of {total} occurrences collide."
    listed = ", ".join(
        _when(c.planned.starts_at, tz, lang) + (f" ({c.slot.title})" if n else "")
        for c, n in zip(hits[:5], named, strict=False)
    )
    more = "" if len(hits) <= 5 else " …"
    if lang == "de":
        return f"{len(hits)} von {total} Terminen kollidieren: {listed}{more}"
    return f"{len(hits)} of {total} occurrences collide: {listed}{more}"


def collision_body(collision: Collision, tz: ZoneInfo, *, named: bool) -> dict[str, Any]:
    slot = collision.slot
    body: dict[str, Any] = {
        "occurrence_start": collision.planned.starts_at.astimezone(tz).isoformat(),
        "booking": {
            "starts_at": slot.starts_at.astimezone(tz).isoformat(),
            "ends_at": slot.ends_at.astimezone(tz).isoformat(),
        },
    }
    if named:
        body["booking"] |= {"id": str(slot.booking_id), "title": slot.title}
    return body


def series_collides(plan: SeriesPlan, tz: ZoneInfo, *, named: Sequence[bool]) -> SeriesCollides:
    return SeriesCollides(
        summary(plan, tz, "de", named=named) + " Mit skip_collisions=true werden diese Termine ausgelassen.",
        summary(plan, tz, "en", named=named) + " With skip_collisions=true these occurrences are left out.",
        field="rrule",
        extra={
            "occurrences": len(plan.taking_place),
            "collisions": [collision_body(c, tz, named=n) for c, n in zip(plan.collisions, named, strict=True)],
        },
    )


def offer_not_found(offer_id: uuid.UUID) -> OfferNotFound:
    return OfferNotFound(f"Angebot {offer_id} gibt es nicht.", f"Offer {offer_id} does not exist.", field="offer_id")


def occurrence_not_found(occurrence_id: uuid.UUID) -> OccurrenceNotFound:
    return OccurrenceNotFound(
        f"Termin {occurrence_id} gibt es nicht.", f"Occurrence {occurrence_id} does not exist.", field="occurrence_id"
    )


def not_changeable(status: str) -> OccurrenceNotChangeable:
    return OccurrenceNotChangeable(
        f"Dieser Termin ist {'abgesagt' if status == 'cancelled' else 'ausgelassen'} und kann nicht geändert werden.",
        f"This occurrence is {status} and cannot be changed.",
        field="occurrence_id",
    )
