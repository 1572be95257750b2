"""Recording a concern: where it belongs, what the routing table (and staff) decide, and every
row and event it creates -- in one transaction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from qn_contracts.ids import time_ordered_id
from qn_contracts.intake import ConcernRecorded
from qn_contracts.vocabulary import TargetKind
from qn_infra.database import insert_objects
from qn_infra.unit_of_work import UnitOfWork

from ..access import Viewer
from ..addresses.directory import ResolvedAddress
from ..city import Quarter
from ..context import IntakeContext
from ..help_requests.domain import AskedBy
from ..help_requests.handlers import request_help
from ..persons.handlers import referenced_person
from ..persons.models import Person
from ..referrals import legal_basis
from ..referrals.handlers import Stated, create_referral
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


def record_concern(
    cmd: domain.RecordConcern,
    *,
    uow: UnitOfWork,
    ctx: IntakeContext,
    viewer: Viewer,
    now: datetime,
    claim: idempotency.Claim | None = None,
) -> Concern:
    """Records a concern, routes it, and emits what routing decided; returns the concern with its
    referrals, help requests and history. With a `claim`, the Idempotency-Key is stored in the
    same transaction, so a repeat records nothing."""
    domain.check_topics(cmd.topics, ctx.city)
    concern_id = time_ordered_id(now)
    today = now.astimezone(ZoneInfo(ctx.city.timezone)).date()
    with uow:
        person = referenced_person(uow.session, cmd.person_id, viewer) if cmd.person_id is not None else None
        quarter, address = locate(cmd, ctx, person)
        age = domain.age_band(cmd.age_band, person.birth_year if person else None, today)
        routed = domain.route(ctx.routing, quarter, cmd.topics, age, ctx.city)
        decisions = domain.apply_overrides(routed, cmd.overrides, cmd.topics, ctx.city)
        domain.check_help_kind(cmd.help_kind, decisions)
        domain.check_weekly_slot(cmd.weekly_slot, decisions)
        stated = domain.check_legal_bases(cmd.legal_bases, decisions)
        language = cmd.language or (person.preferred_language if person else None)
        contact_channel = (
            cmd.contact_channel.value if cmd.contact_channel else (person.preferred_channel if person else None)
        )
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
                age_band=age.value if age else None,
                contact_channel=contact_channel,
                language=language,
                note=cmd.note,
                status="open",
                recorded_by=viewer.subject,
                recorded_at=now,
                referrals=[],
                help_requests=[],
                history=[],
            )
            concern.history.append(
                ConcernEvent(
                    concern_id=concern_id,
                    at=now,
                    actor=viewer.subject,
                    kind="recorded",
                    detail={"channel": cmd.channel.value},
                )
            )
            uow.emit(
                ConcernRecorded(
                    concern_id=concern_id,
                    person_ref=person.person_ref if person else None,
                    quarter_id=quarter.id,
                    channel=cmd.channel,
                    topics=list(cmd.topics),
                    urgency=cmd.urgency,
                    age_band=age,
                    team_id=quarter.team,
                )
            )
            for decision, override_reason in decisions:
                if domain.is_help(decision):
                    concern.help_requests.append(
                        request_help(
                            uow,
                            concern=concern,
                            person=person,
                            help_kind=cmd.help_kind or decision.help_kind,
                            topics=decision.topics,
                            rule_id=decision.rule_id,
                            asked_by=AskedBy.ROUTING,
                            now=now,
                            weekly_slot=cmd.weekly_slot,
                        )
                    )
                    continue
                kind = TargetKind(decision.kind)
                if kind == TargetKind.TEAM and decision.target_id == quarter.team and override_reason is None:
                    continue  # the concern is the team's own work already: nothing to refer
                basis = stated.get(decision.target_id)
                referral = create_referral(
                    uow,
                    concern=concern,
                    person=person,
                    target_kind=kind,
                    target_id=decision.target_id,
                    topics=decision.topics,
                    rule_id=decision.rule_id,
                    override_reason=override_reason,
                    stated=_stated(basis, kind, ctx, viewer, cmd.legal_bases),
                    created_by=viewer.subject,
                    policy=ctx.city.policy,
                    now=now,
                )
                concern.referrals.append(referral)
                if override_reason is not None:
                    concern.history.append(
                        ConcernEvent(
                            concern_id=concern_id,
                            at=now,
                            actor=viewer.subject,
                            kind="routing_overridden",
                            detail={"target_id": decision.target_id, "topics": list(decision.topics)},
                            note=override_reason,
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


def _stated(
    basis: domain.StatedLegalBasis | None,
    kind: TargetKind,
    ctx: IntakeContext,
    viewer: Viewer,
    all_stated: tuple[domain.StatedLegalBasis, ...],
) -> Stated | None:
    if basis is None:
        return None
    index = all_stated.index(basis)
    checked = legal_basis.check_stated(basis.basis, kind, basis.target_id, ctx.city, field=f"legal_bases.{index}.basis")
    return Stated(checked, basis.note, viewer.subject)
