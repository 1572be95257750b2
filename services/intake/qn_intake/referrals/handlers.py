"""Use cases for referrals (closed loop): create, change status, cancel when consent ends,
escalate when overdue. One verb per function; every change writes a transition and an event."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from qn_contracts.intake import ReferralOverdue, ReferralRequested, ReferralStatusChanged
from qn_contracts.vocabulary import AgeBand, DecidedBy, ReferralReason, ReferralStatus, TargetKind, Urgency
from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..city import Policy
from ..concerns.models import Concern
from . import access, domain, queries
from .models import Referral, ReferralTransition

log = get_logger(__name__)

ESCALATION_BATCH = 200


def create_referral(
    uow: UnitOfWork,
    *,
    concern_id: uuid.UUID,
    person_ref: uuid.UUID | None,
    quarter_id: str,
    target_kind: TargetKind,
    target_id: str,
    topics: tuple[str, ...],
    urgency: Urgency,
    age_band: AgeBand | None,
    rule_id: str | None,
    override_reason: str | None,
    created_by: str,
    policy: Policy,
    now: datetime,
) -> Referral:
    """Adds a referral to the unit of work and emits `ReferralRequested`; the caller commits."""
    referral = Referral(
        id=uuid.uuid4(),
        concern_id=concern_id,
        target_kind=target_kind.value,
        target_id=target_id,
        topics=list(topics),
        rule_id=rule_id,
        overridden=override_reason is not None,
        override_reason=override_reason,
        status="requested",
        due_at=now + timedelta(days=policy.referral_due(topics, urgency)),
        created_at=now,
        created_by=created_by,
        updated_at=now,
    )
    uow.session.add(referral)
    uow.emit(
        ReferralRequested(
            referral_id=referral.id,
            concern_id=concern_id,
            person_ref=person_ref,
            quarter_id=quarter_id,
            topics=list(topics),
            urgency=urgency,
            age_band=age_band,
            target_id=target_id,
            target_kind=target_kind,
            rule_id=rule_id,
            overridden=override_reason is not None,
            due_at=referral.due_at,
        )
    )
    return referral


def change_status(
    uow: UnitOfWork,
    referral_id: uuid.UUID,
    *,
    to_status: ReferralStatus,
    reason: ReferralReason | None,
    decided_by: DecidedBy | None,
    note: str | None,
    principal: Principal,
    now: datetime,
) -> None:
    """A carrier's answer or the team's decision. Repeating the current status with the same
    reason is a no-op, so a client retrying after a lost answer gets 200 rather than 409."""
    scope = access.scope_of(principal)
    with uow:
        referral, concern = queries.get_referral(uow.session, referral_id, for_update=True)
        access.check(scope, target_id=referral.target_id, team_id=concern.team_id)
        current = ReferralStatus(referral.status)
        if to_status == current and reason in (None, referral.reason) and decided_by in (None, referral.decided_by):
            return
        decision = domain.decide(
            current,
            to_status,
            reason=reason,
            decided_by=decided_by,
            target_kind=TargetKind(referral.target_kind),
            by_carrier=scope.as_carrier,
        )
        org = access.actor_org(principal, scope)
        _apply(uow, referral, concern, decision, actor=principal.subject, actor_org=org, note=note, now=now)
        uow.commit()


def cancel_open_referrals_for_consent(
    uow: UnitOfWork, *, person_id: uuid.UUID, carrier_id: str | None, actor: str, now: datetime
) -> int:
    """Cancels the person's open referrals to `carrier_id` (None: to every carrier and office)
    because the resident withdrew consent; emits the events; the caller commits. Referrals to a
    team stay: no data leaves the city's own team, so no referral consent covers them."""
    cancelled = 0
    for referral in queries.open_referrals_of_person(uow.session, person_id, carrier_id):
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
        cancelled += 1
    return cancelled


def escalate_overdue_referrals(uow: UnitOfWork, now: datetime) -> int:
    """Marks referrals that passed their due date without a final status and emits
    `ReferralOverdue` once for each; a rerun finds nothing new. Returns how many it escalated."""
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
