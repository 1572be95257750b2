"""Use cases for neighbourly-help requests. A request goes to matching only when there is a person
to help and their neighbourly-help consent is active; until then it waits, and nothing leaves
intake. For a minor only the youth office may ask for help. Matching's answers come back as
events, so the team sees what became of the help. One verb per function; the area's reactions to
consent, linking, closing and erasure are here too."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from qn_contracts import EventMeta
from qn_contracts.ids import time_ordered_id
from qn_contracts.intake import HelpRequested, WeeklySlot
from qn_contracts.matching import (
    AssignmentCompleted,
    HelpRequestCancelled,
    HelpRequestUnmatched,
    MatchAccepted,
    MatchCancelled,
    MatchCompleted,
)
from qn_contracts.vocabulary import AgeBand, ConsentPurpose, Urgency
from qn_infra.database import blank_personal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access, internal_events
from ..access import Viewer
from ..city import City
from ..concerns.models import Concern
from ..consent.queries import active_consent
from ..next_steps import NextStep, check_step, not_needed
from ..persons.models import Person
from ..referrals import queries as referral_queries
from . import domain
from .domain import AskedBy, HelpStatus
from .models import HelpAssignment, HelpRequest

log = get_logger(__name__)


def request_help(
    uow: UnitOfWork,
    *,
    concern: Concern,
    person: Person | None,
    help_kind: str,
    topics: tuple[str, ...],
    rule_id: str | None,
    asked_by: AskedBy,
    now: datetime,
    weekly_slot: domain.WeeklySlot | None = None,
) -> HelpRequest:
    """Adds a help request and, when allowed, emits `HelpRequested` for matching; the caller commits."""
    consent = person is not None and _consent_active(uow, person, now)
    status = domain.status_after(person_attached=person is not None, consent_active=consent)
    help_request = HelpRequest(
        id=time_ordered_id(now),
        concern_id=concern.id,
        help_kind=help_kind,
        weekly_slot=weekly_slot.as_dict() if weekly_slot else None,
        topics=list(topics),
        rule_id=rule_id,
        asked_by=asked_by.value,
        status=status.value,
        created_at=now,
        requested_at=now if status == HelpStatus.REQUESTED else None,
    )
    uow.session.add(help_request)
    if status == HelpStatus.REQUESTED:
        assert person is not None
        uow.emit(_help_requested(help_request, concern, person))
    return help_request


def _consent_active(uow: UnitOfWork, person: Person, now: datetime) -> bool:
    return active_consent(uow.session, person.id, ConsentPurpose.NEIGHBOURLY_HELP, now=now) is not None


def ask_for_a_minor(
    uow: UnitOfWork,
    referral_id: uuid.UUID,
    *,
    help_kind: str,
    viewer: Viewer,
    city: City,
    now: datetime,
    weekly_slot: domain.WeeklySlot | None = None,
) -> HelpRequest:
    """The youth office asks for neighbourly help on a concern referred to it (for a minor or a
    family, routing never asks by itself), once or weekly. The guardian's consent to neighbourly
    help still decides when it goes to matching."""
    if weekly_slot is not None:
        domain.check_weekly_slot(weekly_slot)
    youth_office = city.child_protection.youth_office if city.child_protection else None
    with uow:
        referral, concern = referral_queries.get_referral(uow.session, referral_id, for_update=True)
        access.check_referral(viewer, referral, concern)
        if viewer.carrier is None or viewer.carrier != youth_office or referral.target_id != youth_office:
            raise domain.NotTheYouthOffice(
                "Nachbarschaftshilfe für Kinder und Familien erbittet nur das Jugendamt, für eine an es gerichtete "
                "Überweisung.",
                "Only the youth office asks for neighbourly help for children and families, for a referral "
                "addressed to it.",
            )
        if concern.status != "open":
            raise domain.HelpNotForThisConcern(
                "Das Anliegen ist abgeschlossen.", "The concern is closed.", extra={"current_status": concern.status}
            )
        person = uow.session.get(Person, concern.person_id) if concern.person_id else None
        if person is not None and person.erased_at is not None:
            person = None
        help_request = request_help(
            uow,
            concern=concern,
            person=person,
            help_kind=help_kind,
            topics=tuple(referral.topics),
            rule_id=None,
            asked_by=AskedBy.YOUTH_OFFICE,
            now=now,
            weekly_slot=weekly_slot,
        )
        uow.commit()
        uow.session.expunge(help_request)
    return help_request


def record_next_step(
    uow: UnitOfWork, help_request_id: uuid.UUID, *, step: str, note: str | None, viewer: Viewer, now: datetime
) -> HelpRequest:
    """What the team does after matching found nobody."""
    chosen = check_step(step)
    with uow:
        help_request = _load(uow, help_request_id, lock=True)
        concern = uow.session.get(Concern, help_request.concern_id)
        assert concern is not None  # foreign key
        access.check_team_change(viewer, concern)
        if help_request.status != HelpStatus.UNMATCHED or help_request.next_step is not None:
            raise not_needed("diese Hilfeanfrage", "this help request", help_request.status)
        _set_next_step(help_request, chosen, note=note, by=viewer.subject, now=now)
        uow.commit()
        uow.session.expunge(help_request)
    return help_request


def _set_next_step(help_request: HelpRequest, step: NextStep, *, note: str | None, by: str, now: datetime) -> None:
    help_request.next_step, help_request.next_step_note = step.value, note
    help_request.next_step_by, help_request.next_step_at = by[:200], now


def _load(uow: UnitOfWork, help_request_id: uuid.UUID, *, lock: bool = False) -> HelpRequest:
    help_request = uow.session.get(HelpRequest, help_request_id, with_for_update=lock or None)
    if help_request is None:
        raise domain.not_found(help_request_id)
    return help_request


# --- reactions inside intake ----------------------------------------------------------------


def release_for_consent(event: internal_events.ConsentGiven, uow: UnitOfWork) -> internal_events.Affected | None:
    """Reaction: neighbourly-help consent given -- the person's waiting requests (of open concerns) go."""
    if event.purpose != ConsentPurpose.NEIGHBOURLY_HELP.value:
        return None
    person = uow.session.get(Person, event.person_id)
    if person is None or person.erased_at is not None:
        return None
    sent = _send_waiting(uow, person, Concern.person_id == person.id, HelpStatus.AWAITING_CONSENT, now=event.at)
    return internal_events.Affected("help_requests_released", tuple(sent))


def on_person_linked(event: internal_events.PersonLinked, uow: UnitOfWork) -> None:
    """Reaction: an anonymous concern now has its person -- its waiting requests move on."""
    person = uow.session.get(Person, event.person_id)
    assert person is not None
    waiting = _requests(uow, Concern.id == event.concern_id, (HelpStatus.NEEDS_PERSON,))
    consent = _consent_active(uow, person, event.at)
    for help_request, _ in waiting:
        help_request.status = HelpStatus.AWAITING_CONSENT.value
    if consent:
        _send_waiting(uow, person, Concern.id == event.concern_id, HelpStatus.AWAITING_CONSENT, now=event.at)


def _send_waiting(
    uow: UnitOfWork, person: Person, which: object, status: HelpStatus, *, now: datetime
) -> list[uuid.UUID]:
    sent = []
    for help_request, concern in _requests(uow, which, (status,), open_concerns=True):
        help_request.status = HelpStatus.REQUESTED.value
        help_request.requested_at = now
        uow.emit(_help_requested(help_request, concern, person))
        log.info("help_request_released", help_request_id=str(help_request.id))
        sent.append(help_request.id)
    return sent


def _requests(
    uow: UnitOfWork, which: object, statuses: tuple[HelpStatus, ...], *, open_concerns: bool = False
) -> list[tuple[HelpRequest, Concern]]:
    statement = (
        select(HelpRequest, Concern)
        .join(Concern, HelpRequest.concern_id == Concern.id)
        .where(which, HelpRequest.status.in_([s.value for s in statuses]))  # type: ignore[arg-type]
        .order_by(HelpRequest.created_at, HelpRequest.id)
    )
    if open_concerns:
        statement = statement.where(Concern.status == "open")
    return [(h, c) for h, c in uow.session.execute(statement).all()]


def on_consent_ended(event: internal_events.ConsentEnded, uow: UnitOfWork) -> internal_events.Affected | None:
    """Reaction: neighbourly-help consent ended -- everything not yet finished stops (matching stops
    its proposals when it reads ConsentWithdrawn)."""
    if event.purpose != ConsentPurpose.NEIGHBOURLY_HELP.value:
        return None
    ended = _cancel(uow, Concern.person_id == event.person_id, reason="consent_withdrawn", now=event.at)
    return internal_events.Affected("help_requests_cancelled", tuple(ended))


def on_concern_closed(event: internal_events.ConcernClosed, uow: UnitOfWork) -> None:
    """Reaction: the concern closed -- help that never left intake ends; help with matching is ended
    there (an accepted task goes on); a 'nobody found' needs no next step any more."""
    which = Concern.id == event.concern_id
    for help_request, _ in _requests(uow, which, domain.HELD):
        _end(help_request, "concern_closed", event.at)
    for help_request, _ in _requests(uow, which, (HelpStatus.UNMATCHED,)):
        if help_request.next_step is None:
            _set_next_step(help_request, NextStep.CONCERN_CLOSED, note=None, by=event.actor, now=event.at)


def on_person_erased(event: internal_events.PersonErased, uow: UnitOfWork) -> None:
    """Reaction: erasure -- every unfinished request of the person ends; free text is blanked."""
    which = Concern.person_id == event.person_id
    _cancel(uow, which, reason="person_erased", now=event.at)
    uow.session.flush()
    ids = [h.id for h, _ in _requests(uow, which, tuple(HelpStatus))]
    if ids:
        blank_personal(uow.session, HelpRequest, HelpRequest.id.in_(ids))
        uow.session.expire_all()


def _cancel(uow: UnitOfWork, which: object, *, reason: str, now: datetime) -> list[uuid.UUID]:
    unfinished = (*domain.HELD, *domain.WITH_MATCHING)
    ended = []
    for help_request, _ in _requests(uow, which, unfinished):
        _end(help_request, reason, now)
        ended.append(help_request.id)
    return ended


def _end(help_request: HelpRequest, reason: str, now: datetime) -> None:
    help_request.status = HelpStatus.CANCELLED.value
    help_request.cancelled_at, help_request.cancelled_reason = now, reason
    _end_assignments_of(help_request, reason, now)


def _end_assignments_of(help_request: HelpRequest, reason: str, now: datetime) -> None:
    for assignment in help_request.assignments:
        if assignment.ended_at is None:
            assignment.ended_at, assignment.ended_reason = now, reason


def _end_assignments(uow: UnitOfWork, help_request_id: uuid.UUID, reason: str, now: datetime) -> None:
    help_request = uow.session.get(HelpRequest, help_request_id)
    if help_request is not None:
        _end_assignments_of(help_request, reason, now)


# --- matching's answers (event consumers) ---------------------------------------------------


def on_match_accepted(event: MatchAccepted, meta: EventMeta, uow: UnitOfWork) -> None:
    """A volunteer accepted: the team sees that help is arranged, and intake notes who took it on
    (the login pseudonyms, decision 0013) so that exactly they may read the address."""
    help_request = _known(uow, event.help_request_id, meta)
    if help_request is None or help_request.status not in (HelpStatus.REQUESTED, HelpStatus.UNMATCHED):
        return
    help_request.status, help_request.matched_at = HelpStatus.MATCHED.value, meta.time
    assignment = uow.session.get(HelpAssignment, event.match_id)
    if assignment is None:
        uow.session.add(
            HelpAssignment(
                match_id=event.match_id,
                help_request_id=help_request.id,
                volunteer_ref=event.volunteer_ref,
                volunteer_login=event.volunteer_login,
                proxy_login=event.proxy_login,
                accepted_at=meta.time,
            )
        )
    elif assignment.volunteer_login is None and assignment.proxy_login is None:
        # `match.completed` came first (see there): the task stays ended, and its volunteer is
        # told so (task_ended) rather than that it was never theirs
        assignment.volunteer_login, assignment.proxy_login = event.volunteer_login, event.proxy_login


def on_assignment_completed(event: AssignmentCompleted, meta: EventMeta, uow: UnitOfWork) -> None:
    """The help was given: the team sees it, with the hours a coordinator approved."""
    help_request = _known(uow, event.help_request_id, meta)
    if help_request is None or help_request.status == HelpStatus.CANCELLED:
        return
    help_request.status = HelpStatus.COMPLETED.value
    help_request.completed_at = meta.time
    _end_assignments(uow, help_request.id, "completed", meta.time)
    help_request.matched_at = help_request.matched_at or meta.time
    help_request.hours = (help_request.hours or Decimal(0)) + event.hours
    if event.hours_source is not None:
        source = str(event.hours_source)
        known = help_request.hours_source
        help_request.hours_source = source if known in (None, source) else "mixed"


def on_help_unmatched(event: HelpRequestUnmatched, meta: EventMeta, uow: UnitOfWork) -> None:
    """Matching found nobody: the request comes back into the team's queue as 'another way needed'."""
    help_request = _known(uow, event.help_request_id, meta)
    if help_request is not None and help_request.status == HelpStatus.REQUESTED:
        help_request.status = HelpStatus.UNMATCHED.value
        help_request.unmatched_at, help_request.unmatched_reason = meta.time, event.reason


def on_match_cancelled(event: MatchCancelled, meta: EventMeta, uow: UnitOfWork) -> None:
    """Matching called a proposal or an accepted task off: whoever took it on reads no address."""
    assignment = uow.session.get(HelpAssignment, event.match_id, with_for_update=True)
    if assignment is not None and assignment.ended_at is None:
        assignment.ended_at, assignment.ended_reason = meta.time, "match_cancelled"


def on_match_completed(event: MatchCompleted, meta: EventMeta, uow: UnitOfWork) -> None:
    """The volunteer (or a coordinator for them) marked the task done -- for weekly help: the
    series ended. The address closes now, not only once the hours are approved
    (`assignment.completed`, which may take a week); the team sees 'volunteer found' until then."""
    assignment = uow.session.get(HelpAssignment, event.match_id, with_for_update=True)
    if assignment is not None:
        if assignment.ended_at is None:
            assignment.ended_at, assignment.ended_reason = meta.time, "completed"
        return
    if _known(uow, event.help_request_id, meta) is None:
        return
    # done before intake heard of the acceptance (separate durable consumers: after an outage each
    # catches up on its own): the assignment is written ended, so the late acceptance cannot open it
    uow.session.add(
        HelpAssignment(
            match_id=event.match_id,
            help_request_id=event.help_request_id,
            volunteer_ref=event.volunteer_ref,
            accepted_at=meta.time,
            ended_at=meta.time,
            ended_reason="completed",
        )
    )


def on_help_cancelled(event: HelpRequestCancelled, meta: EventMeta, uow: UnitOfWork) -> None:
    """Matching stopped working on the request (it read a withdrawal, closing or erasure)."""
    help_request = _known(uow, event.help_request_id, meta)
    if help_request is not None and help_request.status not in (HelpStatus.COMPLETED, HelpStatus.CANCELLED):
        _end(help_request, event.reason, meta.time)


def _known(uow: UnitOfWork, help_request_id: uuid.UUID, meta: EventMeta) -> HelpRequest | None:
    help_request = uow.session.get(HelpRequest, help_request_id, with_for_update=True)
    if help_request is None:
        # another intake's request (a shared broker) or one erased since: nothing to update here
        log.info("help_request_unknown", help_request_id=str(help_request_id), event_type=meta.type)
    return help_request


def _help_requested(help_request: HelpRequest, concern: Concern, person: Person) -> HelpRequested:
    language = person.preferred_language or concern.language
    return HelpRequested(
        help_request_id=help_request.id,
        concern_id=concern.id,
        person_ref=person.person_ref,
        quarter_id=concern.quarter_id,
        help_kind=help_request.help_kind,
        skills=[help_request.help_kind],
        languages=[language] if language else [],
        urgency=Urgency(concern.urgency),
        age_band=AgeBand(concern.age_band) if concern.age_band else None,
        asked_by=help_request.asked_by,
        weekly_slot=WeeklySlot.model_validate(help_request.weekly_slot) if help_request.weekly_slot else None,
    )
