"""Use cases for concerns: one verb per function."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from qn_contracts.intake import ConcernRecorded
from qn_contracts.vocabulary import TargetKind
from qn_infra.unit_of_work import UnitOfWork

from ..addresses.directory import ResolvedAddress
from ..city import Quarter
from ..context import IntakeContext
from ..help_requests.handlers import request_help
from ..referrals.handlers import create_referral
from ..routing import HELP
from . import domain
from .models import Concern


def locate(cmd: domain.RecordConcern, ctx: IntakeContext) -> tuple[Quarter, ResolvedAddress | None]:
    """The quarter of a concern: from its address if given, else from its quarter id."""
    if cmd.address is not None:
        resolved = ctx.directory.resolve(cmd.address.street, cmd.address.house_number, cmd.address.postcode)
        return domain.known_quarter(resolved.quarter_id, ctx.city, field="address"), resolved
    if cmd.quarter_id:
        return domain.known_quarter(cmd.quarter_id, ctx.city), None
    raise domain.location_missing()


def record_concern(cmd: domain.RecordConcern, *, uow: UnitOfWork, ctx: IntakeContext, recorded_by: str) -> uuid.UUID:
    """Records a concern, routes it, and emits what routing decided."""
    domain.check_topics(cmd.topics, ctx.city)
    quarter, address = locate(cmd, ctx)
    decisions = ctx.routing.route(quarter, cmd.topics, cmd.age_band)
    now = datetime.now(UTC)
    concern_id = uuid.uuid4()
    with uow:
        concern = Concern(
            id=concern_id,
            channel=cmd.channel.value,
            topics=list(cmd.topics),
            urgency=cmd.urgency.value,
            quarter_id=quarter.id,
            team_id=quarter.team,
            street=address.street if address else None,
            house_number=address.house_number if address else None,
            postcode=address.postcode if address else None,
            age_band=cmd.age_band.value if cmd.age_band else None,
            note=cmd.note,
            status="open",
            recorded_by=recorded_by,
            recorded_at=now,
        )
        uow.session.add(concern)
        uow.emit(
            ConcernRecorded(
                concern_id=concern_id,
                quarter_id=quarter.id,
                channel=cmd.channel,
                topics=list(cmd.topics),
                urgency=cmd.urgency,
                age_band=cmd.age_band,
                team_id=quarter.team,
            )
        )
        for decision in decisions:
            if decision.kind == HELP:
                request_help(
                    uow, concern_id=concern_id, person_id=None, person_ref=None, quarter_id=quarter.id,
                    help_kind=cmd.help_kind or decision.help_kind, topics=decision.topics, urgency=cmd.urgency,
                    language=None, rule_id=decision.rule_id, now=now,
                )
            else:
                create_referral(
                    uow, concern_id=concern_id, person_ref=None, quarter_id=quarter.id,
                    target_kind=TargetKind(decision.kind), target_id=decision.target_id, topics=decision.topics,
                    urgency=cmd.urgency, age_band=cmd.age_band, rule_id=decision.rule_id, override_reason=None,
                    created_by=recorded_by, policy=ctx.city.policy, now=now,
                )
        uow.commit()
    return concern_id


def get_concern(concern_id: uuid.UUID, *, uow: UnitOfWork) -> Concern:
    """A concern with its referrals and help requests."""
    with uow:
        concern = uow.session.get(Concern, concern_id)
        if concern is None:
            raise domain.ConcernNotFound(
                f"Anliegen {concern_id} gibt es nicht.", f"Concern {concern_id} does not exist.", field="concern_id"
            )
        _ = (concern.referrals, concern.help_requests)  # load before the session closes
        uow.session.expunge_all()  # hand back detached objects; closing must not expire them
        return concern
