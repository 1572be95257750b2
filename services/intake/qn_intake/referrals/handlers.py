"""Use cases for referrals (closed loop): being built."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from qn_contracts.intake import ReferralRequested
from qn_contracts.vocabulary import AgeBand, TargetKind, Urgency
from qn_infra.unit_of_work import UnitOfWork

from ..city import Policy
from .models import Referral


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
