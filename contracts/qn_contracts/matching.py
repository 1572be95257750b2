"""Events produced by matching, neighbourly help (Nachbarschaftshilfe) (v1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar

from .event import Classification, Event, EventSpec
from .fields import HelpRequestId, LoginPseudonym, MatchId, Quarter, Timestamp, VolunteerRef, doc
from .vocabulary import Code, Growable, HoursSource, VolunteerStatus

_P = Classification.PSEUDONYMISED
_I = Classification.INTERNAL


def _spec(entity: str, action: str, classification: Classification, summary: str) -> EventSpec:
    return EventSpec("matching", entity, action, 1, classification, summary)


class VolunteerRegistered(Event):
    spec: ClassVar[EventSpec] = _spec("volunteer", "registered", _P, "A volunteer was registered.")

    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    skills: list[Code] = doc("Skills the volunteer offers.", ["shopping", "digital_help"], max_length=20)
    languages: list[str] = doc("Languages spoken (ISO 639-1).", ["de", "ru"], max_length=10)
    status: Annotated[str, Growable(VolunteerStatus)] = doc("Status at registration.", "active")


class VolunteerStatusChanged(Event):
    spec: ClassVar[EventSpec] = _spec(
        "volunteer", "status_changed", _P, "A volunteer's status changed (active, paused, ...)."
    )

    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    from_status: Annotated[str, Growable(VolunteerStatus)] = doc("Status before.", "active")
    to_status: Annotated[str, Growable(VolunteerStatus)] = doc("Status after.", "paused")


class MatchProposed(Event):
    spec: ClassVar[EventSpec] = _spec(
        "match", "proposed", _P, "A volunteer was proposed for a help request and asked to accept."
    )

    match_id: MatchId
    help_request_id: HelpRequestId
    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    help_kind: Code | None = doc("Kind of help the request is for.", "shopping", default=None)
    score: float = doc("Ranking score of the proposal (higher is better).", 0.82, ge=0)
    attempt: int = doc("1 for the first candidate asked, 2 for the next, ...", 1, ge=1)
    expires_at: Timestamp


class MatchAccepted(Event):
    spec: ClassVar[EventSpec] = _spec("match", "accepted", _P, "The volunteer accepted the proposal.")

    match_id: MatchId
    help_request_id: HelpRequestId
    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    help_kind: Code | None = doc("Kind of help the request is for.", "shopping", default=None)
    volunteer_login: LoginPseudonym | None = doc(
        "Since 1.3. Pseudonym of the volunteer's login: intake lets that caller read the person's first "
        "name, address and phone while the task is accepted. Absent for a volunteer without a login.",
        "3f0c8e3a9d2b47c1a6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3",
        default=None,
    )
    proxy_login: LoginPseudonym | None = doc(
        "Since 1.3. Pseudonym of the coordinator's login who accepted on the volunteer's behalf (proxy "
        "mode, for volunteers without a smartphone): intake lets that coordinator read the address for "
        "this task. Absent when the volunteer accepted themselves.",
        "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
        default=None,
    )
    minutes_to_match: int | None = doc(
        "Since 1.7. Whole minutes from matching receiving the help request to this acceptance (reporting's "
        "time to match: it keeps cells, not requests, so it cannot join the two events itself).",
        95,
        default=None,
        ge=0,
    )


class MatchDeclined(Event):
    spec: ClassVar[EventSpec] = _spec("match", "declined", _P, "The volunteer declined the proposal.")

    match_id: MatchId
    help_request_id: HelpRequestId
    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    help_kind: Code | None = doc("Kind of help the request is for.", "shopping", default=None)
    reason: Code | None = doc("Decline reason code, if given.", "no_time", default=None)


class MatchExpired(Event):
    spec: ClassVar[EventSpec] = _spec(
        "match", "expired", _P, "The volunteer did not answer in time; the next candidate is asked."
    )

    match_id: MatchId
    help_request_id: HelpRequestId
    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    help_kind: Code | None = doc("Kind of help the request is for.", "shopping", default=None)


class MatchCancelled(Event):
    spec: ClassVar[EventSpec] = _spec(
        "match",
        "cancelled",
        _P,
        "An open proposal or accepted task was called off (consent withdrawn, concern closed).",
    )

    match_id: MatchId
    help_request_id: HelpRequestId
    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    help_kind: Code | None = doc("Kind of help the request was for.", "shopping", default=None)
    reason: Code = doc(
        "consent_withdrawn, person_erased or concern_closed; since 1.7 also claimed_by_another (an offer to several "
        "that another volunteer claimed first), offered_to_several and assigned_by_hand (a coordinator's choice "
        "replaced the open proposal).",
        "consent_withdrawn",
    )


class HelpRequestCancelled(Event):
    spec: ClassVar[EventSpec] = _spec(
        "help_request",
        "cancelled",
        _I,
        "Matching stopped working on a help request (consent withdrawn, concern closed).",
    )

    help_request_id: HelpRequestId
    quarter_id: Quarter
    help_kind: Code = doc("Kind of help that was requested.", "shopping")
    reason: Code = doc("consent_withdrawn, person_erased or concern_closed.", "concern_closed")


class HelpRequestUnmatched(Event):
    spec: ClassVar[EventSpec] = _spec(
        "help_request", "unmatched", _I, "No volunteer could be found; the coordinator takes over."
    )

    help_request_id: HelpRequestId
    quarter_id: Quarter
    help_kind: Code = doc("Kind of help that was requested.", "escort")
    reason: Code = doc("Why: no_candidates, all_declined, all_expired.", "no_candidates")


class MatchCompleted(Event):
    spec: ClassVar[EventSpec] = _spec(
        "match",
        "completed",
        _P,
        "Since 1.8. The volunteer (or a coordinator for them) marked an accepted task done -- for weekly help: "
        "the series ended. Its hours may still wait for approval (assignment.completed follows with them).",
    )

    match_id: MatchId
    help_request_id: HelpRequestId
    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    help_kind: Code | None = doc("Kind of help the task was for.", "shopping", default=None)


class AssignmentCompleted(Event):
    spec: ClassVar[EventSpec] = _spec(
        "assignment", "completed", _P, "A volunteer completed an assignment; its approved hours."
    )

    match_id: MatchId
    help_request_id: HelpRequestId
    volunteer_ref: VolunteerRef
    quarter_id: Quarter
    help_kind: Code = doc("Kind of help given.", "shopping")
    hours: Decimal = doc(
        "Approved hours of the task (a coordinator approved them, or entered them from a paper slip), in "
        "quarter hours. Until 1.3 the hours the volunteer logged.",
        "1.5",
        ge=0,
        le=24,
        decimal_places=2,
    )
    hours_source: Annotated[str, Growable(HoursSource)] | None = doc(
        "Since 1.3. Where the approved hours come from: app (logged by the volunteer, or by a coordinator "
        "on their behalf), paper (a paper slip a coordinator entered later), mixed (both).",
        "app",
        default=None,
    )


EVENTS: tuple[type[Event], ...] = (
    VolunteerRegistered,
    VolunteerStatusChanged,
    MatchProposed,
    MatchAccepted,
    MatchDeclined,
    MatchExpired,
    MatchCancelled,
    MatchCompleted,
    HelpRequestUnmatched,
    HelpRequestCancelled,
    AssignmentCompleted,
)
