"""Use cases for referrals (closed loop): create (held until consent or a legal basis allows it),
release, change status, record the next step after a decline, escalate when overdue -- and this
area's reactions to consent, closing and erasure. One verb per function; every change writes a
transition and, once the referral has left intake, an event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from qn_contracts.intake import ReferralOverdue, ReferralRequested, ReferralStatusChanged
from qn_contracts.vocabulary import (
    AgeBand,
    ConsentPurpose,
    DecidedBy,
    ReferralReason,
    ReferralStatus,
    TargetKind,
    Urgency,
)
from qn_infra.database import blank_personal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access, internal_events
from ..access import AWAITING_CONSENT, Viewer
from ..city import City, Policy
from ..concerns.models import Concern
from ..consent.queries import active_consent
from ..next_steps import NextStep, check_step, not_needed
from ..persons.models import Person
from . import domain, legal_basis, queries
from .legal_basis import LegalBasis
from .models import Referral, ReferralTransition

log = get_logger(__name__)

ESCALATION_BATCH = 200
NEEDS_ANOTHER_WAY = (ReferralStatus.REJECTED.value, ReferralStatus.FAILED.value)


@dataclass(frozen=True)
class Stated:
    """A legal basis staff state for a referral, with why (free text, stays in intake)."""

    basis: LegalBasis
    note: str | None
    by: str


def create_referral(
    uow: UnitOfWork,
    *,
    concern: Concern,
    person: Person | None,
    target_kind: TargetKind,
    target_id: str,
    topics: tuple[str, ...],
    rule_id: str | None,
    override_reason: str | None,
    stated: Stated | None,
    created_by: str,
    policy: Policy,
    now: datetime,
) -> Referral:
    """Adds a referral to the unit of work; the caller commits. It leaves intake at once when no
    consent is needed (anonymous concern, a team of the city), when the person's referral consent
    names the target, or when staff stated a legal basis; otherwise it is held as
    `awaiting_consent` and goes when a consent or a legal basis comes."""
    referral = Referral(
        id=uuid.uuid4(),
        concern_id=concern.id,
        target_kind=target_kind.value,
        target_id=target_id,
        topics=list(topics),
        rule_id=rule_id,
        overridden=override_reason is not None,
        override_reason=override_reason,
        status=AWAITING_CONSENT,
        due_at=now + timedelta(days=policy.referral_due(topics, Urgency(concern.urgency))),
        created_at=now,
        created_by=created_by,
        updated_at=now,
        transitions=[],
    )
    uow.session.add(referral)
    if stated is not None:
        _state(referral, stated, now)
    ground = _ground(uow, referral, person, now)
    if ground is not None:
        _release(uow, referral, concern, person, ground, policy=policy, now=now)
    return referral


def _state(referral: Referral, stated: Stated, now: datetime) -> None:
    referral.legal_basis = stated.basis.value
    referral.legal_basis_note = stated.note
    referral.legal_basis_by = stated.by[:200]
    referral.legal_basis_at = now


def _ground(
    uow: UnitOfWork, referral: Referral, person: Person | None, now: datetime
) -> tuple[str | None, uuid.UUID | None] | None:
    """(legal basis, consent id) that lets the referral go now, or None while it must wait."""
    if not legal_basis.needs_ground(referral.target_kind, person_attached=person is not None):
        return (None, None)
    if referral.legal_basis is not None:
        return (referral.legal_basis, None)
    assert person is not None
    consent = active_consent(
        uow.session, person.id, ConsentPurpose.REFERRAL.value, carrier_id=referral.target_id, now=now
    )
    return (LegalBasis.CONSENT.value, consent.id) if consent is not None else None


def _release(
    uow: UnitOfWork,
    referral: Referral,
    concern: Concern,
    person: Person | None,
    ground: tuple[str | None, uuid.UUID | None],
    *,
    policy: Policy,
    now: datetime,
) -> None:
    """The referral leaves intake: `ReferralRequested` for its target; its time starts now."""
    basis, consent_id = ground
    held = referral.status == AWAITING_CONSENT and referral.created_at < now
    referral.status = ReferralStatus.REQUESTED.value
    referral.legal_basis = basis
    referral.consent_id = consent_id
    referral.released_at = now
    referral.updated_at = now
    if held:
        referral.due_at = now + timedelta(days=policy.referral_due(tuple(referral.topics), Urgency(concern.urgency)))
    uow.emit(
        ReferralRequested(
            referral_id=referral.id,
            concern_id=concern.id,
            person_ref=person.person_ref if person is not None and person.erased_at is None else None,
            quarter_id=concern.quarter_id,
            topics=list(referral.topics),
            urgency=Urgency(concern.urgency),
            age_band=AgeBand(concern.age_band) if concern.age_band else None,
            target_id=referral.target_id,
            target_kind=TargetKind(referral.target_kind),
            rule_id=referral.rule_id,
            overridden=referral.overridden,
            due_at=referral.due_at,
            legal_basis=basis,
        )
    )


def state_legal_basis(
    uow: UnitOfWork,
    referral_id: uuid.UUID,
    *,
    basis: str,
    note: str | None,
    viewer: Viewer,
    city: City,
    now: datetime,
) -> None:
    """Staff state the legal basis of a held referral; it leaves intake at once."""
    with uow:
        referral, concern = queries.get_referral(uow.session, referral_id, for_update=True)
        access.check_referral(viewer, referral, concern)
        access.check_referring_team(viewer, concern)
        stated = legal_basis.check_stated(basis, referral.target_kind, referral.target_id, city, field="basis")
        if referral.status != AWAITING_CONSENT:
            raise domain.already_released(referral.status)
        _state(referral, Stated(stated, note, viewer.subject), now)
        person = uow.session.get(Person, concern.person_id) if concern.person_id else None
        _release(uow, referral, concern, person, (stated.value, None), policy=city.policy, now=now)
        uow.commit()


def release_for_consent(
    event: internal_events.ConsentGiven, uow: UnitOfWork, *, policy: Policy
) -> internal_events.Affected | None:
    """Reaction: a referral consent was recorded -- the person's held referrals to that target go."""
    if event.purpose != ConsentPurpose.REFERRAL.value or event.carrier_id is None:
        return None
    person = uow.session.get(Person, event.person_id)
    if person is None or person.erased_at is not None:
        return None
    released = []
    for referral, concern in queries.held_referrals(uow.session, event.person_id, event.carrier_id):
        ground = (LegalBasis.CONSENT.value, event.consent_id)
        _release(uow, referral, concern, person, ground, policy=policy, now=event.at)
        log.info("referral_released", referral_id=str(referral.id), legal_basis=LegalBasis.CONSENT.value)
        released.append(referral.id)
    return internal_events.Affected("referrals_released", tuple(released))


def change_status(
    uow: UnitOfWork,
    referral_id: uuid.UUID,
    *,
    to_status: ReferralStatus,
    reason: ReferralReason | None,
    decided_by: DecidedBy | None,
    note: str | None,
    viewer: Viewer,
    now: datetime,
) -> None:
    """A carrier's answer or the team's decision. Repeating the current status with the same
    reason is a no-op, so a client retrying after a lost answer gets 200 rather than 409."""
    with uow:
        referral, concern = queries.get_referral(uow.session, referral_id, for_update=True)
        access.check_referral(viewer, referral, concern)
        as_carrier = viewer.carrier is not None
        if referral.status == AWAITING_CONSENT:
            _change_held(uow, referral, to_status, reason, note, viewer=viewer, now=now)
            uow.commit()
            return
        current = ReferralStatus(referral.status)
        if to_status == current and reason in (None, referral.reason) and decided_by in (None, referral.decided_by):
            return
        decision = domain.decide(
            current,
            to_status,
            reason=reason,
            decided_by=decided_by,
            target_kind=TargetKind(referral.target_kind),
            by_carrier=as_carrier,
        )
        _apply(
            uow,
            referral,
            concern,
            decision,
            actor=viewer.subject,
            actor_org=access.actor_org(viewer),
            note=note,
            now=now,
        )
        uow.commit()


def _change_held(
    uow: UnitOfWork,
    referral: Referral,
    to_status: ReferralStatus,
    reason: ReferralReason | None,
    note: str | None,
    *,
    viewer: Viewer,
    now: datetime,
) -> None:
    """A held referral never reached its target: the team may only call it off (no event)."""
    if to_status not in (ReferralStatus.CANCELLED, ReferralStatus.ENTERED_IN_ERROR):
        raise domain.held(to_status)
    domain.decide(
        ReferralStatus.REQUESTED,
        to_status,
        reason=reason,
        decided_by=None,
        target_kind=TargetKind(referral.target_kind),
        by_carrier=False,
    )
    _end_held(uow, referral, to_status, reason, actor=viewer.subject, actor_org=viewer.team, note=note, now=now)


def _end_held(
    uow: UnitOfWork,
    referral: Referral,
    to_status: ReferralStatus,
    reason: ReferralReason | None,
    *,
    actor: str,
    actor_org: str | None,
    note: str | None,
    now: datetime,
) -> None:
    uow.session.add(
        ReferralTransition(
            referral_id=referral.id,
            at=now,
            actor=actor[:200],
            actor_org=actor_org,
            from_status=AWAITING_CONSENT,
            to_status=to_status.value,
            reason=reason.value if reason else None,
            decided_by=DecidedBy.TEAM.value,
            note=note,
        )
    )
    referral.status = to_status.value
    referral.reason = reason.value if reason else None
    referral.decided_by = DecidedBy.TEAM.value
    referral.updated_at = now


def record_next_step(
    uow: UnitOfWork, referral_id: uuid.UUID, *, step: str, note: str | None, viewer: Viewer, now: datetime
) -> None:
    """What the referring team does after its referral was declined or failed."""
    chosen = check_step(step)
    with uow:
        referral, concern = queries.get_referral(uow.session, referral_id, for_update=True)
        access.check_referral(viewer, referral, concern)
        access.check_referring_team(viewer, concern)
        if referral.status not in NEEDS_ANOTHER_WAY or referral.next_step is not None:
            raise not_needed("diese Überweisung", "this referral", referral.status)
        _set_next_step(referral, chosen, note=note, by=viewer.subject, now=now)
        uow.commit()


def _set_next_step(referral: Referral, step: NextStep, *, note: str | None, by: str, now: datetime) -> None:
    referral.next_step, referral.next_step_note = step.value, note
    referral.next_step_by, referral.next_step_at = by[:200], now


def note_referred_again(
    uow: UnitOfWork, concern_id: uuid.UUID, topics: tuple[str, ...], *, by: str, now: datetime
) -> None:
    """A new referral of some of the topics of a declined one is the team's next step for it."""
    for referral in queries.needing_another_way(uow.session, concern_id):
        if set(referral.topics) & set(topics):
            _set_next_step(referral, NextStep.REFERRED_ELSEWHERE, note=None, by=by, now=now)


def on_consent_ended(event: internal_events.ConsentEnded, uow: UnitOfWork) -> internal_events.Affected | None:
    """Reaction: a referral consent ended -- the person's open referrals that went under that
    consent are cancelled as the resident's decision. Referrals under a legal basis, and to the
    city's own teams, stay: no consent carried them."""
    if event.purpose != ConsentPurpose.REFERRAL.value:
        return None
    cancelled = []
    for referral in queries.open_referrals_of_person(uow.session, event.person_id, event.carrier_id):
        if referral.legal_basis not in (None, LegalBasis.CONSENT.value):
            continue  # a legal basis, not the consent, carried it
        _cancel_for_resident(uow, referral, actor=event.actor, now=event.at)
        cancelled.append(referral.id)
    return internal_events.Affected("referrals_cancelled", tuple(cancelled))


def on_concern_closed(event: internal_events.ConcernClosed, uow: UnitOfWork) -> None:
    """Reaction: the concern is closed -- what was held ends unseen; declines need no next step."""
    for referral in uow.session.scalars(select(Referral).where(Referral.concern_id == event.concern_id)):
        if referral.status == AWAITING_CONSENT:
            _end_held(
                uow,
                referral,
                ReferralStatus.CANCELLED,
                ReferralReason.NO_LONGER_INTERESTED,
                actor=event.actor,
                actor_org=None,
                note=None,
                now=event.at,
            )
        elif referral.status in NEEDS_ANOTHER_WAY and referral.next_step is None:
            _set_next_step(referral, NextStep.CONCERN_CLOSED, note=None, by=event.actor, now=event.at)


def on_person_erased(event: internal_events.PersonErased, uow: UnitOfWork) -> None:
    """Reaction: erasure -- open referrals of the person's concerns end (nobody can be contacted any
    more), held ones end unseen, and every free text of this area about them is blanked."""
    concern_ids = select(Concern.id).where(Concern.person_id == event.person_id)
    referrals = list(uow.session.scalars(select(Referral).where(Referral.concern_id.in_(concern_ids))))
    for referral in referrals:
        if referral.status == AWAITING_CONSENT:
            _end_held(
                uow,
                referral,
                ReferralStatus.CANCELLED,
                ReferralReason.RESIDENT_DECLINED,
                actor=event.actor,
                actor_org=None,
                note=None,
                now=event.at,
            )
        elif ReferralStatus(referral.status) in domain.OPEN:
            _cancel_for_resident(uow, referral, actor=event.actor, now=event.at)
    uow.session.flush()
    ids = [r.id for r in referrals]
    if ids:
        blank_personal(uow.session, Referral, Referral.id.in_(ids))
        blank_personal(uow.session, ReferralTransition, ReferralTransition.referral_id.in_(ids))
        uow.session.expire_all()


def _cancel_for_resident(uow: UnitOfWork, referral: Referral, *, actor: str, now: datetime) -> None:
    concern = uow.session.get(Concern, referral.concern_id)
    assert concern is not None  # foreign key
    decision = domain.decide(
        ReferralStatus(referral.status),
        ReferralStatus.CANCELLED,
        reason=ReferralReason.RESIDENT_DECLINED,
        decided_by=DecidedBy.RESIDENT,
        target_kind=TargetKind(referral.target_kind),
        by_carrier=False,
    )
    _apply(uow, referral, concern, decision, actor=actor, actor_org=None, note=None, now=now)


def escalate_overdue_referrals(uow: UnitOfWork, now: datetime) -> int:
    """Marks referrals that passed their due date without a final status and emits
    `ReferralOverdue` once for each; a rerun finds nothing new. Returns how many it escalated.
    Held referrals are not escalated: their target never saw them (the team's queue shows them)."""
    escalated = 0
    while True:
        with uow:
            batch = queries.newly_overdue(uow.session, now, ESCALATION_BATCH)
            for referral in batch:
                concern = uow.session.get(Concern, referral.concern_id)
                assert concern is not None  # foreign key
                referral.escalated_at = now
                uow.emit(
                    ReferralOverdue(
                        referral_id=referral.id,
                        concern_id=referral.concern_id,
                        quarter_id=concern.quarter_id,
                        target_id=referral.target_id,
                        status=ReferralStatus(referral.status),
                        due_at=referral.due_at,
                    )
                )
            uow.commit()
        escalated += len(batch)
        if len(batch) < ESCALATION_BATCH:
            break
    if escalated:
        log.info("referrals_escalated", count=escalated)
    return escalated


def _apply(
    uow: UnitOfWork,
    referral: Referral,
    concern: Concern,
    decision: domain.Decision,
    *,
    actor: str,
    actor_org: str | None,
    note: str | None,
    now: datetime,
) -> None:
    referral.status = decision.to_status.value
    referral.reason = decision.reason.value if decision.reason else None
    referral.decided_by = decision.decided_by.value if decision.decided_by else None
    referral.updated_at = now
    uow.session.add(
        ReferralTransition(
            referral_id=referral.id,
            at=now,
            actor=actor[:200],
            actor_org=actor_org[:64] if actor_org else None,
            from_status=decision.from_status.value,
            to_status=decision.to_status.value,
            reason=referral.reason,
            decided_by=referral.decided_by,
            note=note,
        )
    )
    uow.emit(
        ReferralStatusChanged(
            referral_id=referral.id,
            concern_id=referral.concern_id,
            quarter_id=concern.quarter_id,
            target_id=referral.target_id,
            topics=list(referral.topics),
            from_status=decision.from_status,
            to_status=decision.to_status,
            reason=decision.reason,
            decided_by=decision.decided_by,
        )
    )
    log.info(
        "referral_status_changed",
        referral_id=str(referral.id),
        from_status=decision.from_status.value,
        to_status=decision.to_status.value,
        reason=referral.reason,
    )
