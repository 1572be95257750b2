"""Early-warning rules run on a schedule, and the escalation of overdue follow-ups. Plain
functions of a unit of work and `now`, so that tests run them at a moment of their choosing.

Several replicas may run the same rule at once: a rule fires at most once per concern because
signals are unique on (rule_id, concern_id); the loser of that race finds the winner's signal and
moves on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ScalarSelect, Select, and_, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from qn_contracts.intake import FollowUpOverdue
from qn_contracts.vocabulary import Channel, RaisedBy, SignalType
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..city import City, Policy
from ..concerns.models import Concern
from ..persons.models import Person
from . import domain
from .handlers import raise_signal
from .models import FollowUp, Signal

log = get_logger(__name__)

RULE_SUBJECT = "rule"
"""`raised_by_subject` of signals a rule raised."""

Decide = Callable[[datetime, list[datetime | None], Policy, datetime], bool]


def run_signal_rules(uow: UnitOfWork, city: City, now: datetime) -> list[uuid.UUID]:
    """Runs every early-warning rule once; returns the ids of the signals raised."""
    policy = city.policy
    raised = _run_rule(
        uow,
        city,
        now,
        rule_id=domain.DISCHARGE_RULE,
        signal_type=SignalType.DISCHARGE_WITHOUT_FOLLOW_UP,
        # no contact recorded at all: a contact can only follow the notice
        candidates=_candidates(domain.DISCHARGE_RULE).where(
            Concern.channel == Channel.DISCHARGE_NOTICE.value,
            Concern.recorded_at <= now - timedelta(hours=policy.discharge_follow_up_hours),
            Concern.last_contact_at.is_(None),
        ),
        decide=domain.discharge_unanswered,
    )
    quiet_since = now - timedelta(days=policy.no_contact_days)
    raised += _run_rule(
        uow,
        city,
        now,
        rule_id=domain.NO_CONTACT_RULE,
        signal_type=SignalType.NO_CONTACT,
        candidates=_candidates(domain.NO_CONTACT_RULE).where(
            Concern.recorded_at <= quiet_since,
            (Concern.last_contact_at.is_(None)) | (Concern.last_contact_at <= quiet_since),
        ),
        decide=domain.contact_lapsed,
    )
    return raised


def _contacted_by_follow_up() -> ScalarSelect[datetime | None]:
    """When a follow-up of the concern last reached the person (outcome contacted)."""
    return (
        select(func.max(FollowUp.done_at))
        .where(FollowUp.concern_id == Concern.id, FollowUp.outcome == domain.CONTACTED)
        .correlate(Concern)
        .scalar_subquery()
    )


def _candidates(rule_id: str) -> Select[*tuple[Any, ...]]:
    """Open concerns this rule has not fired for yet, with what the rule needs to decide."""
    fired = exists().where(Signal.rule_id == rule_id, Signal.concern_id == Concern.id)
    return (
        select(
            Concern.id,
            Concern.quarter_id,
            Concern.team_id,
            Concern.person_id,
            Person.person_ref,
            Concern.recorded_at,
            Concern.last_contact_at,
            _contacted_by_follow_up(),
        )
        # an erased person's reference is forgotten everywhere: no new event may carry it
        .outerjoin(Person, and_(Person.id == Concern.person_id, Person.erased_at.is_(None)))
        .where(Concern.status == "open", ~fired)
        .order_by(Concern.recorded_at, Concern.id)
    )


def _run_rule(
    uow: UnitOfWork,
    city: City,
    now: datetime,
    *,
    rule_id: str,
    signal_type: SignalType,
    candidates: Select[*tuple[Any, ...]],
    decide: Decide,
) -> list[uuid.UUID]:
    with uow:
        rows = uow.session.execute(candidates).all()
    raised = []
    for concern_id, quarter_id, team_id, person_id, person_ref, recorded_at, last_contact_at, follow_up_contact in rows:
        if not decide(recorded_at, [last_contact_at, follow_up_contact], city.policy, now):
            continue
        quarter = city.quarter(quarter_id)
        # one transaction per signal: a race lost to another replica costs that signal only
        try:
            with uow:
                signal = raise_signal(
                    uow,
                    signal_type=signal_type,
                    quarter_id=quarter_id,
                    team_id=quarter.team if quarter else team_id,
                    raised_by=RaisedBy.RULE,
                    raised_by_subject=RULE_SUBJECT,
                    concern_id=concern_id,
                    person_id=person_id,
                    person_ref=person_ref,
                    rule_id=rule_id,
                    note=None,
                    policy=city.policy,
                    now=now,
                )
                uow.commit()
        except IntegrityError:
            if not _already_fired(uow, rule_id, concern_id):
                raise
            log.info("signal_rule_already_fired", rule_id=rule_id, concern_id=str(concern_id))
            continue
        log.info("signal_raised_by_rule", rule_id=rule_id, concern_id=str(concern_id), signal_id=str(signal.id))
        raised.append(signal.id)
    return raised


def _already_fired(uow: UnitOfWork, rule_id: str, concern_id: uuid.UUID) -> bool:
    with uow:
        return (
            uow.session.scalar(select(Signal.id).where(Signal.rule_id == rule_id, Signal.concern_id == concern_id))
            is not None
        )


def escalate_overdue_follow_ups(uow: UnitOfWork, now: datetime) -> list[uuid.UUID]:
    """Escalates each open follow-up past its due date once: `escalated_at` and `FollowUpOverdue`."""
    escalated = []
    with uow:
        overdue = uow.session.execute(
            select(FollowUp.id, FollowUp.quarter_id, FollowUp.team_id, FollowUp.due_at)
            .where(FollowUp.status == "open", FollowUp.escalated_at.is_(None), FollowUp.due_at < now)
            .order_by(FollowUp.due_at, FollowUp.id)
        ).all()
        for follow_up_id, quarter_id, team_id, due_at in overdue:
            # conditional update: of two replicas escalating together, only one changes the row
            changed = uow.session.execute(
                update(FollowUp)
                .where(FollowUp.id == follow_up_id, FollowUp.escalated_at.is_(None), FollowUp.status == "open")
                .values(escalated_at=now)
                .execution_options(synchronize_session=False)
            )
            if changed.rowcount != 1:
                continue
            uow.emit(FollowUpOverdue(follow_up_id=follow_up_id, quarter_id=quarter_id, team_id=team_id, due_at=due_at))
            escalated.append(follow_up_id)
        uow.commit()
    if escalated:
        log.info("follow_ups_escalated", count=len(escalated))
    return escalated
