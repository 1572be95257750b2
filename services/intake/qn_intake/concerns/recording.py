"""Recording a concern: where it belongs, what the routing table (and staff) decide, and every
row and event it creates -- in one transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from qn_contracts.intake import ConcernRecorded
from qn_contracts.vocabulary import TargetKind
from qn_infra.database import insert_objects
from qn_infra.unit_of_work import UnitOfWork

from ..addresses.directory import ResolvedAddress
from ..city import Quarter
from ..context import IntakeContext
from ..help_requests.handlers import request_help
from ..persons.handlers import referenced_person
from ..persons.models import Person
from ..referrals.handlers import create_referral
from . import domain, idempotency
from .models import Concern, ConcernEvent


def locate(
    cmd: domain.RecordConcern, ctx: IntakeContext, person: Person | None
) -> tuple[Quarter, ResolvedAddress | None]:
    """The quarter of a concern: from its address, its coordinates, its quarter id, or the
    person's quarter -- in that order."""
    if cmd.address is not None:
        resolved = ctx.directory.resolve(cmd.address.street, cmd.address.house_number, cmd.address.postcode)
        return domain.known_quarter(resolved.quarter_id, ctx.city, field="address"), resolved
    if cmd.location is not None:
        quarter_id = ctx.quarter_at(cmd.location.lon, cmd.location.lat)
        return domain.known_quarter(quarter_id, ctx.city, field="location"), None
    if cmd.quarter_id:
        return domain.known_quarter(cmd.quarter_id, ctx.city), None
    if person is not None and person.quarter_id:
        return domain.known_quarter(person.quarter_id, ctx.city, field="person_id"), None
    raise domain.location_missing()


def _person(uow: UnitOfWork, person_id: uuid.UUID | None) -> Person | None:
    return referenced_person(uow.session, person_id) if person_id is not None else None


def record_concern(
    cmd: domain.RecordConcern,
    *,
    uow: UnitOfWork,
    ctx: IntakeContext,
    recorded_by: str,
    claim: idempotency.Claim | None = None,
) -> Concern:
    """Records a concern, routes it, and emits what routing decided; returns the concern with its
    referrals, help requests and history. With a `claim`, the Idempotency-Key is stored in the
    same transaction, so a repeat records nothing."""
    domain.check_topics(cmd.topics, ctx.city)
    now = datetime.now(UTC)
    concern_id = uuid.uuid4()
    with uow:
        person = _person(uow, cmd.person_id)
        quarter, address = locate(cmd, ctx, person)
        decisions = domain.apply_overrides(
            ctx.routing.route(quarter, cmd.topics, cmd.age_band), cmd.overrides, cmd.topics, ctx.city
        )
        domain.check_help_kind(cmd.help_kind, decisions)
        language = cmd.language or (person.preferred_language if person else None)
        contact_channel = (
            cmd.contact_channel.value if cmd.contact_channel else (person.preferred_channel if person else None)
        )
        person_ref = person.person_ref if person else None
        # rows are written together below; nothing may reach the database before the concern
        with uow.session.no_autoflush:
            concern = Concern(
                id=concern_id,
                person_id=person.id if person else None,
                channel=cmd.channel.value,
                topics=list(cmd.topics),
                urgency=cmd.urgency.value,
                quarter_id=quarter.id,
                team_id=quarter.team,
                street=address.street if address else None,
                house_number=address.house_number if address else None,
                postcode=address.postcode if address else None,
                age_band=cmd.age_band.value if cmd.age_band else None,
                contact_channel=contact_channel,
                language=language,
                note=cmd.note,
                status="open",
                recorded_by=recorded_by,
                recorded_at=now,
                referrals=[],
                help_requests=[],
                history=[],
            )
            concern.history.append(
                ConcernEvent(
                    concern_id=concern_id,
                    at=now,
                    actor=recorded_by,
                    kind="recorded",
                    detail={"channel": cmd.channel.value},
                )
            )
            uow.emit(
                ConcernRecorded(
                    concern_id=concern_id,
                    person_ref=person_ref,
                    quarter_id=quarter.id,
                    channel=cmd.channel,
                    topics=list(cmd.topics),
                    urgency=cmd.urgency,
                    age_band=cmd.age_band,
                    team_id=quarter.team,
                )
            )
            for decision, override_reason in decisions:
                if domain.is_help(decision):
                    help_request = request_help(
                        uow,
                        concern_id=concern_id,
                        person_id=person.id if person else None,
                        person_ref=person_ref,
                        quarter_id=quarter.id,
                        help_kind=cmd.help_kind or decision.help_kind,
                        topics=decision.topics,
                        urgency=cmd.urgency,
                        language=language,
                        rule_id=decision.rule_id,
                        now=now,
                    )
                    concern.help_requests.append(help_request)
                    continue
                referral = create_referral(
                    uow,
                    concern_id=concern_id,
                    person_ref=person_ref,
                    quarter_id=quarter.id,
                    target_kind=TargetKind(decision.kind),
                    target_id=decision.target_id,
                    topics=decision.topics,
                    urgency=cmd.urgency,
                    age_band=cmd.age_band,
                    rule_id=decision.rule_id,
                    override_reason=override_reason,
                    created_by=recorded_by,
                    policy=ctx.city.policy,
                    now=now,
                )
                concern.referrals.append(referral)
                if override_reason is not None:
                    concern.history.append(
                        ConcernEvent(
                            concern_id=concern_id,
                            at=now,
                            actor=recorded_by,
                            kind="routing_overridden",
                            detail={
                                "target_id": decision.target_id,
                                "topics": list(decision.topics),
                                "reason": override_reason,
                            },
                        )
                    )
        # a concern is recorded many times a day: write its rows directly instead of through the
        # ORM's unit of work, which costs more than the rest of the request together
        rows = [concern, *concern.history, *concern.referrals, *concern.help_requests]
        for row in rows:
            if row in uow.session:
                uow.session.expunge(row)
        insert_objects(uow.session, rows)
        if claim is not None:
            idempotency.remember(uow.session, claim, resource_id=concern_id, status_code=201, now=now)
        uow.commit()
        uow.session.expunge_all()  # the caller reads the new concern as built, without a second query
    return concern
