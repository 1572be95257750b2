"""Use cases for a recorded concern: read, close, reopen, note contacts, refer, name its person --
one verb per function -- and this area's reaction to an erasure. Recording itself is in
recording.py. Who may do what: `qn_intake.access`."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from qn_contracts.intake import ConcernClosed, ConcernReopened
from qn_infra.auth import Principal
from qn_infra.database import blank_personal
from qn_infra.unit_of_work import UnitOfWork

from .. import access, internal_events
from ..access import Viewer
from ..audit.log import record_read
from ..bus import MessageBus
from ..context import IntakeContext
from ..persons.handlers import referenced_person
from ..persons.models import Person
from ..referrals import legal_basis
from ..referrals.handlers import Stated, create_referral, note_referred_again
from . import domain
from .contacts import note_contact
from .models import Concern, ConcernEvent, IdempotencyRecord

# What a concern shows about its person; reading it is a read of personal data.
PERSONAL_FIELDS = ["concern.street", "concern.house_number", "concern.postcode", "concern.note", "concern.history"]


def get_concern(concern_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal, as_recorder: bool = False) -> Concern:
    """A concern with its referrals, help requests and history, for its team. When a person is
    attached, the read is written to the audit log. `as_recorder`: the answer to a repeated
    recording, for the one who recorded it (whatever their team)."""
    viewer = access.viewer_of(principal)
    with uow:
        concern = _load(uow, concern_id)
        if not (as_recorder and concern.recorded_by == viewer.subject):
            access.check_concern(viewer, concern)
        if concern.person_id is not None:
            record_read(
                uow.session,
                principal,
                at=uow.clock.now(),
                purpose="case_work",
                subject_type="person",
                subject_id=str(concern.person_id),
                fields=PERSONAL_FIELDS,
            )
            uow.commit()
        uow.session.expunge_all()  # hand back detached objects; closing must not expire them
        return concern


def close_concern(
    concern_id: uuid.UUID,
    outcome: str,
    note: str | None,
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    bus: MessageBus,
    now: datetime,
) -> None:
    """Closes an open concern with an outcome; what still waited in intake for it ends."""
    domain.check_outcome(outcome)
    with uow:
        concern = _load(uow, concern_id, lock=True)
        access.check_team_change(viewer, concern)
        if concern.status == "closed":
            raise domain.already("closed")
        concern.status, concern.outcome, concern.closed_at = "closed", outcome, now
        _history(uow, concern_id, viewer.subject, "closed", now, note=note, outcome=outcome)
        # help and referrals still waiting in intake end here; those with matching or a carrier are
        # stopped there when it reads concern.closed
        bus.publish(internal_events.ConcernClosed(concern_id, actor=viewer.subject, at=now), uow)
        uow.emit(
            ConcernClosed(concern_id=concern_id, quarter_id=concern.quarter_id, topics=concern.topics, outcome=outcome)
        )
        uow.commit()


def reopen_concern(concern_id: uuid.UUID, note: str | None, *, uow: UnitOfWork, viewer: Viewer, now: datetime) -> None:
    """Reopens a closed concern; the earlier outcome stays in the history."""
    with uow:
        concern = _load(uow, concern_id, lock=True)
        access.check_team_change(viewer, concern)
        if concern.status != "closed":
            raise domain.already("open")
        _history(uow, concern_id, viewer.subject, "reopened", now, note=note, previous_outcome=concern.outcome)
        concern.status, concern.outcome, concern.closed_at = "open", None, None
        uow.emit(ConcernReopened(concern_id=concern_id, quarter_id=concern.quarter_id, topics=concern.topics))
        uow.commit()


def record_contact(
    concern_id: uuid.UUID,
    channel: str,
    reached: bool,
    note: str | None,
    at: datetime | None,
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    now: datetime,
) -> None:
    """Notes a contact (or an attempt) with the person; a reached contact resets the
    'no contact for N days' clock of the early-warning rules."""
    with uow:
        concern = _load(uow, concern_id)
        access.check_concern(viewer, concern)
        note_contact(
            uow.session,
            concern_id,
            at=min(at or now, now),
            actor=viewer.subject,
            channel=channel,
            reached=reached,
            note=note,
        )
        uow.commit()


def refer(
    concern_id: uuid.UUID,
    override: domain.RoutingOverride,
    extra_topics: tuple[str, ...],
    stated_basis: tuple[str, str | None] | None,
    *,
    uow: UnitOfWork,
    ctx: IntakeContext,
    viewer: Viewer,
    now: datetime,
) -> uuid.UUID:
    """Refers a recorded concern to a target the routing table did not choose, with a reason (and,
    where the person has not consented to it, the legal basis)."""
    kind = domain.target_kind(override.target_id, ctx.city, "target_id")
    stated = None
    if stated_basis is not None:
        basis, basis_note = stated_basis
        checked = legal_basis.check_stated(basis, kind, override.target_id, ctx.city, field="legal_basis.basis")
        stated = Stated(checked, basis_note, viewer.subject)
    with uow:
        concern = _load(uow, concern_id, lock=True)
        access.check_team_change(viewer, concern)
        topics = tuple(dict.fromkeys((override.topic, *extra_topics)))
        for index, topic in enumerate(topics):
            if topic not in concern.topics:
                raise domain.UnknownTopic(
                    f"Thema '{topic}' gehört nicht zu diesem Anliegen.",
                    f"Topic '{topic}' is not one of this concern's topics.",
                    field="more_topics" if index else "topic",
                )
        person = uow.session.get(Person, concern.person_id) if concern.person_id else None
        if person is not None and person.erased_at is not None:
            person = None
        note_referred_again(uow, concern_id, topics, by=viewer.subject, now=now)
        referral = create_referral(
            uow,
            concern=concern,
            person=person,
            target_kind=kind,
            target_id=override.target_id,
            topics=topics,
            rule_id=None,
            override_reason=override.reason,
            stated=stated,
            created_by=viewer.subject,
            policy=ctx.city.policy,
            now=now,
        )
        _history(
            uow,
            concern_id,
            viewer.subject,
            "routing_overridden",
            now,
            note=override.reason,
            target_id=override.target_id,
            topics=list(topics),
        )
        uow.commit()
        return referral.id


def link_person(
    concern_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    uow: UnitOfWork,
    ctx: IntakeContext,
    viewer: Viewer,
    now: datetime,
) -> None:
    """Names the person of an anonymous concern; help that waited for a person moves on. A minor
    needs a concern of their own, routed to the youth office."""
    today = now.astimezone(ZoneInfo(ctx.city.timezone)).date()
    with uow:
        concern = _load(uow, concern_id, lock=True)
        access.check_team_change(viewer, concern)
        if concern.person_id is not None:
            raise domain.PersonAlreadyNamed(
                "Das Anliegen nennt bereits eine Person.",
                "The concern already names a person.",
                field="person_id",
                extra={"person_id": str(concern.person_id)},
            )
        person = referenced_person(uow.session, person_id, viewer)
        age = domain.age_band(None, person.birth_year, today)
        if domain.for_youth_office(age, (), ctx.city) and not domain.for_youth_office(
            domain.age_band_or_none(concern.age_band), tuple(concern.topics), ctx.city
        ):
            raise domain.MinorNeedsOwnConcern(
                "Die Person ist minderjährig: bitte ein eigenes Anliegen erfassen, es geht an das Jugendamt.",
                "The person is a minor: please record a concern of their own; it goes to the youth office.",
                field="person_id",
            )
        concern.person_id = person.id
        concern.age_band = concern.age_band or (age.value if age else None)
        _history(uow, concern_id, viewer.subject, "person_linked", now)
        ctx.bus.publish(internal_events.PersonLinked(concern_id, person.id, actor=viewer.subject, at=now), uow)
        uow.commit()


def forget_person(event: internal_events.PersonErased, uow: UnitOfWork) -> None:
    """Reaction: erasure -- the person's concerns keep codes and dates only: address, note, contact
    wishes and every note of their history are blanked; remembered answers to repeated requests
    (which hold the address and note) are deleted."""
    session = uow.session
    concern_ids = list(session.scalars(select(Concern.id).where(Concern.person_id == event.person_id)))
    if not concern_ids:
        return
    session.flush()
    blank_personal(session, Concern, Concern.id.in_(concern_ids))
    blank_personal(session, ConcernEvent, ConcernEvent.concern_id.in_(concern_ids))
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.resource_id.in_([str(i) for i in concern_ids])))
    session.expire_all()


def _load(uow: UnitOfWork, concern_id: uuid.UUID, *, lock: bool = False) -> Concern:
    concern = uow.session.get(Concern, concern_id, with_for_update=lock)
    if concern is None:
        raise domain.not_found(concern_id)
    return concern


def _history(
    uow: UnitOfWork,
    concern_id: uuid.UUID,
    actor: str,
    kind: str,
    at: datetime,
    *,
    note: str | None = None,
    **detail: object,
) -> ConcernEvent:
    event = ConcernEvent(concern_id=concern_id, at=at, actor=actor, kind=kind, detail=detail, note=note)
    uow.session.add(event)
    return event
