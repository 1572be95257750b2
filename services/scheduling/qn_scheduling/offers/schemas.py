"""What the offer API accepts and returns. Times go out in the city's local time."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from qn_contracts.vocabulary import AgeBand, Code, OfferKind, OrgId
from qn_infra.days import Day

from ..bookings.schemas import Note, Timestamp
from ..sites.schemas import ID_PATTERN, ClockTime, LocalTime
from .calendar_rules import ChangeReason, OccurrenceStatus, OnHoliday
from .domain import Collision, Cost, OfferDetails, Scope, SeriesPlan, When
from .models import Occurrence, Offer


class OfferIn(BaseModel):
    """An offer and its series. Texts are public and organisational: never a resident's name."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200, description="Public title (German).", examples=["Mittagstisch"])
    description: str | None = Field(
        None, max_length=2000, description="Public description (German).", examples=["Warmes Essen für 1,50 €."]
    )
    kind: OfferKind = Field(description="What kind of offer: " + ", ".join(OfferKind) + ".", examples=["lunch_table"])
    org_id: OrgId | None = Field(
        None,
        description="Carrier, office or volunteers' group running it; default: the caller's.",
        examples=["dessauer-tafel"],
    )
    room_id: str = Field(pattern=ID_PATTERN, description="Room of the site it takes place in.", examples=["kueche"])
    target_groups: list[Code] = Field(
        default_factory=list, max_length=20, description="Who it is for (codes).", examples=[["senioren", "familien"]]
    )
    topics: list[Code] = Field(
        min_length=1,
        max_length=20,
        description="Topics from the city's taxonomy (at least one: the programme and reporting sort by them).",
        examples=[["existenzsicherung"]],
    )
    capacity: int | None = Field(None, ge=1, le=1000, strict=True, description="Places, if limited.", examples=[20])
    registration_required: bool = Field(False, description="Whether residents register beforehand.")
    cost: Cost = Field(Cost.FREE, description="free or contribution.", examples=["contribution"])
    accessibility: str | None = Field(
        None, max_length=500, description="Accessibility notes.", examples=["Stufenloser Zugang"]
    )
    contact: str | None = Field(
        None,
        max_length=200,
        description="Organisational contact for questions (an office, not a private person).",
        examples=["Dessauer Tafel e. V., Telefon der Geschäftsstelle"],
    )
    first_day: Day = Field(description="Local day of the first occurrence.", examples=["2027-03-15"])
    starts: ClockTime = Field(description="Local start time (HH:MM), Europe/Berlin wall-clock.", examples=["11:00"])
    ends: ClockTime = Field(description="Local end time (HH:MM), the same day.", examples=["13:00"])
    rrule: str = Field(
        min_length=1,
        max_length=500,
        description="RFC 5545 recurrence rule with UNTIL or COUNT (UNTIL as a date: that local day included).",
        examples=["FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20271231"],
    )
    exdates: list[date] = Field(default_factory=list, max_length=500, description="Local days left out.")
    on_holiday: OnHoliday = Field(
        OnHoliday.SKIP,
        description="On a public holiday or closure day: skip, move (next open day), or keep (with approval).",
    )
    reconfirm_days: int | None = Field(
        None,
        ge=1,
        le=60,
        strict=True,
        description="The owner confirms each occurrence this many days before, or the room is released "
        "(to the waitlist, if anyone waits).",
        examples=[7],
    )

    def details(self) -> OfferDetails:
        return OfferDetails(
            title=self.title,
            kind=self.kind,
            description=self.description or None,
            org_id=self.org_id,
            target_groups=tuple(self.target_groups),
            topics=tuple(self.topics),
            capacity=self.capacity,
            registration_required=self.registration_required,
            cost=self.cost,
            accessibility=self.accessibility or None,
            contact=self.contact or None,
        )

    def when(self) -> When:
        return When(
            room_id=self.room_id,
            first_day=self.first_day,
            starts=time.fromisoformat(self.starts),
            ends=time.fromisoformat(self.ends),
            rrule=self.rrule,
            exdates=tuple(self.exdates),
        )


class NewOfferIn(OfferIn):
    skip_collisions: bool = Field(False, description="Save the series and leave out the occurrences that collide.")


class OfferChangesIn(BaseModel):
    """An edit of an offer; only the fields given change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scope: Scope = Field(description="occurrence, following (this and all following) or series.")
    occurrence_id: uuid.UUID | None = Field(None, description="The occurrence for scope occurrence or following.")
    skip_collisions: bool = False
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    kind: OfferKind | None = None
    target_groups: list[Code] | None = Field(None, max_length=20)
    topics: list[Code] | None = Field(None, min_length=1, max_length=20)
    capacity: int | None = Field(None, ge=1, le=1000, strict=True)
    registration_required: bool | None = None
    cost: Cost | None = None
    accessibility: str | None = Field(None, max_length=500)
    contact: str | None = Field(None, max_length=200)
    room_id: str | None = Field(None, pattern=ID_PATTERN)
    starts: ClockTime | None = None
    ends: ClockTime | None = None
    rrule: str | None = Field(None, min_length=1, max_length=500)
    exdates: list[date] | None = Field(None, max_length=500)
    on_holiday: OnHoliday | None = None
    reason: ChangeReason | None = Field(None, description="For scope occurrence: why it moves.")
    note: Note | None = Field(None, max_length=2000, description="For scope occurrence: free text, never in an event.")

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(
            exclude_unset=True, exclude={"scope", "occurrence_id", "skip_collisions", "reason", "note"}
        )
        for name in ("starts", "ends"):
            if given.get(name) is not None:
                given[name] = time.fromisoformat(given[name])
        for name in ("target_groups", "topics", "exdates"):
            if given.get(name) is not None:
                given[name] = tuple(given[name])
        if given.get("kind") is not None:
            given["kind"] = OfferKind(given["kind"])
        if given.get("cost") is not None:
            given["cost"] = Cost(given["cost"])
        return {k: v for k, v in given.items() if v is not None}


class CancelOccurrenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ChangeReason | None = Field(None, description="Why: " + ", ".join(ChangeReason) + ".", examples=["illness"])
    note: Note | None = Field(
        None, max_length=2000, description='Free text ("Feiertag", "Beraterin erkrankt"); never in an event.'
    )


class MoveOccurrenceIn(CancelOccurrenceIn):
    starts_at: Timestamp = Field(description="New start, with offset.", examples=["2027-03-16T11:00:00+01:00"])
    ends_at: Timestamp = Field(description="New end, with offset.", examples=["2027-03-16T13:00:00+01:00"])
    room_id: str | None = Field(None, pattern=ID_PATTERN, description="Another room of the site, if it moves there.")


class AttendanceIn(BaseModel):
    """Who came: counts only, never names."""

    model_config = ConfigDict(extra="forbid")

    attendance: int = Field(ge=0, le=10000, strict=True, description="How many people came.", examples=[14])
    new_visitors: int | None = Field(None, ge=0, le=10000, strict=True, description="Of them, first-timers.")
    returning_visitors: int | None = Field(None, ge=0, le=10000, strict=True, description="Of them, returning.")
    by_age_band: dict[AgeBand, int] | None = Field(
        None, description="Counts by age band; they add up to `attendance`.", examples=[{"65_79": 9, "80_plus": 5}]
    )


class WaitlistIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    starts_at: Timestamp = Field(description="Start, with offset.", examples=["2027-03-16T09:00:00+01:00"])
    ends_at: Timestamp = Field(description="End, with offset.", examples=["2027-03-16T12:00:00+01:00"])
    title: str = Field(min_length=1, max_length=200, description="What for; never a resident's name.")
    org_id: OrgId | None = Field(None, description="For whom; default: the caller's organisation.")


class WaitlistOut(BaseModel):
    id: uuid.UUID
    site_id: str
    room_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    org_id: str | None
    status: str = Field(description="waiting or granted.")
    booking_id: uuid.UUID | None

    @classmethod
    def of(cls, entry: Any, tz: ZoneInfo) -> WaitlistOut:
        return cls(
            id=entry.id, site_id=entry.site_id, room_id=entry.room_id, starts_at=entry.starts_at.astimezone(tz),
            ends_at=entry.ends_at.astimezone(tz), title=entry.title, org_id=entry.org_id, status=entry.status,
            booking_id=entry.booking_id,
        )  # fmt: skip


class OfferOut(BaseModel):
    id: uuid.UUID
    site_id: str
    room_id: str
    title: str
    description: str | None
    kind: str
    org_id: str | None
    target_groups: list[str]
    topics: list[str]
    capacity: int | None
    registration_required: bool
    cost: str
    accessibility: str | None
    contact: str | None
    first_day: date
    starts: LocalTime
    ends: LocalTime
    rrule: str
    exdates: list[date]
    on_holiday: str
    reconfirm_days: int | None
    continues_offer_id: uuid.UUID | None

    @classmethod
    def of(cls, offer: Offer) -> OfferOut:
        return cls(
            id=offer.id,
            site_id=offer.site_id,
            room_id=offer.room_id,
            title=offer.title,
            description=offer.description,
            kind=offer.kind,
            org_id=offer.org_id,
            target_groups=list(offer.target_groups),
            topics=list(offer.topics),
            capacity=offer.capacity,
            registration_required=offer.registration_required,
            cost=offer.cost,
            accessibility=offer.accessibility,
            contact=offer.contact,
            first_day=offer.first_day,
            starts=offer.starts,
            ends=offer.ends,
            rrule=offer.rrule,
            exdates=[date.fromisoformat(d) for d in offer.exdates],
            on_holiday=offer.on_holiday,
            reconfirm_days=offer.reconfirm_days,
            continues_offer_id=offer.continues_offer_id,
        )


class OccurrenceOut(BaseModel):
    id: uuid.UUID
    offer_id: uuid.UUID
    room_id: str
    recurrence_id: datetime = Field(description="Where the rule puts it (RFC 5545 RECURRENCE-ID).")
    starts_at: datetime
    ends_at: datetime
    status: OccurrenceStatus
    reason: str | None
    label: str | None = Field(description="Name of the holiday or closure, if any.")
    moved: bool
    booking_id: uuid.UUID | None
    note: str | None = Field(description="Only for those who may change the occurrence, else null.")
    attendance: int | None = Field(None, description="How many came, once recorded.")
    confirmed_at: datetime | None = Field(None, description="When the owner re-confirmed it, if asked to.")

    @classmethod
    def of(cls, occurrence: Occurrence, tz: ZoneInfo, *, with_note: bool) -> OccurrenceOut:
        return cls(
            id=occurrence.id,
            offer_id=occurrence.offer_id,
            room_id=occurrence.room_id,
            recurrence_id=occurrence.recurrence_id.astimezone(tz),
            starts_at=occurrence.starts_at.astimezone(tz),
            ends_at=occurrence.ends_at.astimezone(tz),
            status=OccurrenceStatus(occurrence.status),
            reason=occurrence.reason,
            label=occurrence.label,
            moved=occurrence.moved,
            booking_id=occurrence.booking_id,
            note=occurrence.note if with_note else None,
            attendance=occurrence.attendance,
            confirmed_at=occurrence.confirmed_at.astimezone(tz) if occurrence.confirmed_at else None,
        )


class PlannedOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    status: OccurrenceStatus
    reason: str | None
    label: str | None


class PreviewOut(BaseModel):
    occurrences: int = Field(description="How many occurrences would take place or await approval.")
    summary: str = Field(description='"3 von 104 Terminen kollidieren: …" in the caller\'s language.')
    collisions: list[dict[str, Any]]
    skipped: list[PlannedOut] = Field(description="Occurrences left out for a holiday or closure.")
    pending_approval: list[PlannedOut]
    moved: list[PlannedOut]

    @classmethod
    def of(cls, plan: SeriesPlan, named: list[bool], tz: ZoneInfo, summary: str) -> PreviewOut:
        from .domain import collision_body

        def out(items: list[Any]) -> list[PlannedOut]:
            return [
                PlannedOut(
                    starts_at=p.starts_at.astimezone(tz),
                    ends_at=p.ends_at.astimezone(tz),
                    status=p.status,
                    reason=p.reason.value if p.reason else None,
                    label=p.label,
                )
                for p in items
            ]

        hits: list[Collision] = plan.collisions
        return cls(
            occurrences=len(plan.taking_place),
            summary=summary,
            collisions=[collision_body(c, tz, named=n) for c, n in zip(hits, named, strict=True)],
            skipped=out([p for p in plan.planned if p.status is OccurrenceStatus.SKIPPED]),
            pending_approval=out([p for p in plan.planned if p.status is OccurrenceStatus.PENDING_APPROVAL]),
            moved=out([p for p in plan.planned if p.starts_at != p.recurrence_id]),
        )
