"""Events produced by intake, the first point of contact (v1)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from .event import Classification, Event, EventSpec
from .fields import (
    AgeBandField,
    ConcernId,
    HelpRequestId,
    Org,
    PersonRef,
    Quarter,
    ReferralId,
    Timestamp,
    Topics,
    UrgencyField,
    doc,
)
from .vocabulary import (
    Channel,
    Code,
    ConsentPurpose,
    DecidedBy,
    Growable,
    RaisedBy,
    ReferralReason,
    ReferralStatus,
    SignalType,
    TargetKind,
    Weekday,
)

_P = Classification.PSEUDONYMISED
_I = Classification.INTERNAL


def _spec(
    entity: str, action: str, classification: Classification, summary: str, address: str | None = None
) -> EventSpec:
    return EventSpec("intake", entity, action, 1, classification, summary, address)


class ConcernRecorded(Event):
    spec: ClassVar[EventSpec] = _spec("concern", "recorded", _P, "A concern (Anliegen) was recorded.")

    concern_id: ConcernId
    person_ref: PersonRef | None = doc(
        "Pseudonymous person reference; absent for anonymous concerns.",
        "5f1d7c1e-6a7b-4c3e-9f1a-2b3c4d5e6f70",
        default=None,
    )
    quarter_id: Quarter
    channel: Annotated[str, Growable(Channel)] = doc("How the concern reached the team.", "walk_in")
    topics: Topics
    urgency: UrgencyField
    age_band: AgeBandField = None
    team_id: Org | None = doc("Neighbourhood team responsible for the quarter.", "team-innenstadt", default=None)


class ConcernClosed(Event):
    spec: ClassVar[EventSpec] = _spec("concern", "closed", _I, "A concern was closed with an outcome.")

    concern_id: ConcernId
    quarter_id: Quarter
    topics: Topics
    outcome: Code = doc("Outcome code from the city's list.", "resolved")


class ConcernReopened(Event):
    spec: ClassVar[EventSpec] = _spec("concern", "reopened", _I, "A closed concern was reopened.")

    concern_id: ConcernId
    quarter_id: Quarter
    topics: Topics


class ReferralRequested(Event):
    spec: ClassVar[EventSpec] = _spec(
        "referral", "requested", _P, "A concern was referred to a carrier, office or team.", "target_id"
    )

    referral_id: ReferralId
    concern_id: ConcernId
    person_ref: PersonRef | None = doc(
        "Pseudonymous person reference, if a person is attached.", "5f1d7c1e-6a7b-4c3e-9f1a-2b3c4d5e6f70", default=None
    )
    quarter_id: Quarter
    topics: Topics
    urgency: UrgencyField
    age_band: AgeBandField = None
    target_id: Org = doc("The carrier, office or team the referral is addressed to.", "jugendamt-asd")
    target_kind: Annotated[str, Growable(TargetKind)] = doc("What kind of organisation the target is.", "office")
    rule_id: str | None = doc(
        "Id of the routing rule that chose the target; absent if overridden.", "r-012", default=None
    )
    overridden: bool = doc("True when staff overrode the routing table.", False, default=False)
    due_at: Timestamp
    legal_basis: Code | None = doc(
        "Why the person's data may reach the target: `consent` (the person's consent naming it), `sgb_x_69` "
        "(a city office's statutory task), `sgb_viii_8a` (child protection), `gdpr_9_2_c` (vital interests). "
        "Absent for an anonymous concern or a referral to a team. Added in 1.1.",
        "consent",
        default=None,
    )


class ReferralStatusChanged(Event):
    spec: ClassVar[EventSpec] = _spec(
        "referral", "status_changed", _I, "A referral moved to a new status (closed loop).", "target_id"
    )

    referral_id: ReferralId
    concern_id: ConcernId
    quarter_id: Quarter
    target_id: Org = doc("The carrier, office or team the referral is addressed to.", "awo-dessau")
    topics: Topics
    from_status: Annotated[str, Growable(ReferralStatus)] = doc("Status before the change.", "requested")
    to_status: Annotated[str, Growable(ReferralStatus)] = doc("Status after the change.", "accepted")
    reason: Annotated[str, Growable(ReferralReason)] | None = doc(
        "Outcome or decline reason, where the status needs one.", "no_capacity", default=None
    )
    decided_by: Annotated[str, Growable(DecidedBy)] | None = doc(
        "Who declined or ended the referral.", "carrier", default=None
    )


class ReferralOverdue(Event):
    spec: ClassVar[EventSpec] = _spec(
        "referral", "overdue", _I, "A referral passed its due date without a final status.", "target_id"
    )

    referral_id: ReferralId
    concern_id: ConcernId
    quarter_id: Quarter
    target_id: Org = doc("The carrier, office or team the referral is addressed to.", "awo-dessau")
    status: Annotated[str, Growable(ReferralStatus)] = doc("Status when it became overdue.", "requested")
    due_at: Timestamp


class WeeklySlot(BaseModel):
    """A weekly time window in the city's local time, e.g. Tuesdays 10:00-11:30."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    weekday: Weekday = doc("Day of the week.", "tu")
    starts: time = doc("Local time the help starts.", "10:00")
    ends: time = doc("Local time the help ends (after `starts`).", "11:30")


class HelpRequested(Event):
    spec: ClassVar[EventSpec] = _spec(
        "help", "requested", _P, "Neighbourly help (Nachbarschaftshilfe) is wanted for a concern."
    )

    help_request_id: HelpRequestId
    concern_id: ConcernId
    person_ref: PersonRef | None = doc(
        "Pseudonymous person reference, if a person is attached.", "5f1d7c1e-6a7b-4c3e-9f1a-2b3c4d5e6f70", default=None
    )
    quarter_id: Quarter
    help_kind: Code = doc(
        "Kind of help: shopping, small_repairs, escort, walk, reading, company, digital_help.", "shopping"
    )
    skills: list[Code] = doc("Skills a volunteer needs.", ["shopping"], max_length=10)
    languages: list[str] = doc("Languages the person speaks (ISO 639-1).", ["de"], max_length=5)
    urgency: UrgencyField
    wanted_by: date | None = doc("Date by which the help is needed, if any.", "2026-11-28", default=None)
    age_band: AgeBandField = None
    asked_by: Code | None = doc(
        "Who asked for the help: `routing` (the city's routing table) or `youth_office` (for a minor, only the "
        "youth office may ask). Added in 1.1.",
        "routing",
        default=None,
    )
    weekly_slot: WeeklySlot | None = doc(
        "Since 1.7. Recurring help (weekly shopping, a weekly visit): the weekly slot, local time. Only a "
        "volunteer available then is proposed, and the one who accepts keeps the series until it ends. Absent: "
        "a one-off.",
        {"weekday": "tu", "starts": "10:00", "ends": "11:30"},
        default=None,
    )


class SignalRaised(Event):
    spec: ClassVar[EventSpec] = _spec("signal", "raised", _P, "An early-warning signal (Frühwarnsystem) was raised.")

    signal_id: UUID = doc("Id of the signal.", "3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d")
    quarter_id: Quarter
    signal_type: Annotated[str, Growable(SignalType)] = doc("What kind of warning sign was observed.", "loneliness")
    raised_by: Annotated[str, Growable(RaisedBy)] = doc("Staff, a Kümmerer, or an automatic rule.", "kuemmerer")
    rule_id: str | None = doc("The rule that raised it, for raised_by=rule.", "discharge-48h", default=None)
    concern_id: ConcernId | None = doc(
        "The concern this belongs to, if any.", "1c9e6f3a-8b7d-4e2f-a1b0-c9d8e7f6a5b4", default=None
    )
    person_ref: PersonRef | None = doc(
        "Pseudonymous person reference, if a person is attached.", "5f1d7c1e-6a7b-4c3e-9f1a-2b3c4d5e6f70", default=None
    )


class FollowUpDue(Event):
    spec: ClassVar[EventSpec] = _spec("follow_up", "due", _I, "A follow-up task was created for the quarter's team.")

    follow_up_id: UUID = doc("Id of the follow-up task.", "8c7b6a5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d")
    quarter_id: Quarter
    team_id: Org = doc("Team that must follow up.", "team-innenstadt")
    due_at: Timestamp
    signal_id: UUID | None = doc(
        "The signal that caused the task, if any.", "3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d", default=None
    )
    concern_id: ConcernId | None = doc(
        "The concern this belongs to, if any.", "1c9e6f3a-8b7d-4e2f-a1b0-c9d8e7f6a5b4", default=None
    )
    reason: Code = doc("Why a follow-up is needed (signal type or rule code).", "loneliness")


class FollowUpDone(Event):
    spec: ClassVar[EventSpec] = _spec("follow_up", "done", _I, "A follow-up task was completed.")

    follow_up_id: UUID = doc("Id of the follow-up task.", "8c7b6a5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d")
    quarter_id: Quarter
    team_id: Org = doc("Team that followed up.", "team-innenstadt")
    outcome: Code = doc(
        "Outcome: contacted, could_not_contact, resident_declined, referred, handled_elsewhere, no_action_needed.",
        "contacted",
    )
    on_time: bool | None = doc(
        "Whether the task was done by its due date (the producer knows both; reporting keeps no task). "
        "Absent from producers before 1.8.",
        True,
        default=None,
    )


class FollowUpOverdue(Event):
    spec: ClassVar[EventSpec] = _spec("follow_up", "overdue", _I, "A follow-up task passed its due date (escalation).")

    follow_up_id: UUID = doc("Id of the follow-up task.", "8c7b6a5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d")
    quarter_id: Quarter
    team_id: Org = doc("Team that must follow up.", "team-innenstadt")
    due_at: Timestamp


class ConsentWithdrawn(Event):
    spec: ClassVar[EventSpec] = _spec(
        "consent",
        "withdrawn",
        _P,
        "A person withdrew consent; processing under that purpose stops.",
        "carrier_id",
    )

    person_ref: PersonRef
    purpose: Annotated[str, Growable(ConsentPurpose)] = doc(
        "The purpose consent was withdrawn for.", "neighbourly_help"
    )
    carrier_id: Org | None = doc(
        "The carrier named in the consent, for purpose=referral.", "caritas-dessau", default=None
    )


class PersonErased(Event):
    spec: ClassVar[EventSpec] = _spec(
        "person", "erased", _P, "A person's data was erased; every service forgets the reference."
    )

    person_ref: PersonRef


EVENTS: tuple[type[Event], ...] = (
    ConcernRecorded,
    ConcernClosed,
    ConcernReopened,
    ReferralRequested,
    ReferralStatusChanged,
    ReferralOverdue,
    HelpRequested,
    SignalRaised,
    FollowUpDue,
    FollowUpDone,
    FollowUpOverdue,
    ConsentWithdrawn,
    PersonErased,
)
