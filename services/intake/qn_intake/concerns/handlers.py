"""Use cases for concerns: one verb per function."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from qn_contracts.intake import ConcernClosed, ConcernRecorded, ConcernReopened
from qn_contracts.vocabulary import AgeBand, TargetKind, Urgency
from qn_infra.auth import Principal
from qn_infra.database import insert_objects
from qn_infra.unit_of_work import UnitOfWork

from ..addresses.directory import ResolvedAddress
from ..audit.log import record_read
from ..city import Quarter
from ..context import IntakeContext
from ..help_requests.handlers import AWAITING_CONSENT, request_help
from ..persons.models import Person
from ..referrals.handlers import create_referral
from . import domain, idempotency
from .contacts import note_contact
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
    if person_id is None:
        return None
    person = uow.session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise domain.UnknownTarget(
            f"Person {person_id} gibt es nicht (oder ihre Daten wurden gelöscht).",
            f"Person {person_id} does not exist (or their data was erased).",
            field="person_id",
        )
    return person


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
            concern.history.append(_history(uow, concern_id, recorded_by, "recorded", now, channel=cmd.channel.value))
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


# What a concern shows about its person; reading it is a read of personal data.
PERSONAL_FIELDS = ["concern.street", "concern.house_number", "concern.postcode", "concern.note", "concern.history"]


def get_concern(concern_id: uuid.UUID, *, uow: UnitOfWork, reader: Principal | None = None) -> Concern:
    """A concern with its referrals, help requests and history. When a person is attached, the
    read is written to the audit log for `reader`."""
    with uow:
        concern = _load(uow, concern_id)
        if reader is not None and concern.person_id is not None:
            record_read(
                uow.session,
                reader,
                purpose="case_work",
                subject_type="person",
                subject_id=str(concern.person_id),
                fields=PERSONAL_FIELDS,
            )
            uow.commit()
        uow.session.expunge_all()  # hand back detached objects; closing must not expire them
        return concern


def close_concern(concern_id: uuid.UUID, outcome: str, note: str | None, *, uow: UnitOfWork, actor: str) -> None:
    """Closes an open concern with an outcome."""
    domain.check_outcome(outcome)
    now = datetime.now(UTC)
    with uow:
        concern = _load(uow, concern_id, lock=True)
        if concern.status == "closed":
            raise domain.already("closed")
        concern.status, concern.outcome, concern.closed_at = "closed", outcome, now
        _history(uow, concern_id, actor, "closed", now, note=note, outcome=outcome)
        # help still waiting for consent never left intake: it ends with the concern (requests
        # already with matching are stopped there when it reads concern.closed)
        for help_request in concern.help_requests:
            if help_request.status == AWAITING_CONSENT:
                help_request.status, help_request.cancelled_at = "cancelled", now
        uow.emit(
            ConcernClosed(concern_id=concern_id, quarter_id=concern.quarter_id, topics=concern.topics, outcome=outcome)
        )
        uow.commit()


def reopen_concern(concern_id: uuid.UUID, note: str | None, *, uow: UnitOfWork, actor: str) -> None:
    """Reopens a closed concern; the earlier outcome stays in the history."""
    now = datetime.now(UTC)
    with uow:
        concern = _load(uow, concern_id, lock=True)
        if concern.status != "closed":
            raise domain.already("open")
        _history(uow, concern_id, actor, "reopened", now, note=note, previous_outcome=concern.outcome)
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
    actor: str,
) -> None:
    """Notes a contact (or an attempt) with the person; a reached contact resets the
    'no contact for N days' clock of the early-warning rules."""
    now = datetime.now(UTC)
    with uow:
        if (
            note_contact(
                uow.session,
                concern_id,
                at=min(at or now, now),
                actor=actor,
                channel=channel,
                reached=reached,
                note=note,
            )
            is None
        ):
            raise domain.not_found(concern_id)
        uow.commit()


def refer(
    concern_id: uuid.UUID,
    override: domain.RoutingOverride,
    extra_topics: tuple[str, ...],
    *,
    uow: UnitOfWork,
    ctx: IntakeContext,
    actor: str,
) -> uuid.UUID:
    """Refers a recorded concern to a target the routing table did not choose, with a reason."""
    now = datetime.now(UTC)
    kind = domain.target_kind(override.target_id, ctx.city, "target_id")
    with uow:
        concern = _load(uow, concern_id, lock=True)
        topics = tuple(dict.fromkeys((override.topic, *extra_topics)))
        for index, topic in enumerate(topics):
            if topic not in concern.topics:
                raise domain.UnknownTopic(
                    f"Thema '{topic}' gehört nicht zu diesem Anliegen.",
                    f"Topic '{topic}' is not one of this concern's topics.",
                    field="topics" if index else "topic",
                )
        person = uow.session.get(Person, concern.person_id) if concern.person_id else None
        referral = create_referral(
            uow,
            concern_id=concern_id,
            person_ref=person.person_ref if person else None,
            quarter_id=concern.quarter_id,
            target_kind=kind,
            target_id=override.target_id,
            topics=topics,
            urgency=Urgency(concern.urgency),
            age_band=AgeBand(concern.age_band) if concern.age_band else None,
            rule_id=None,
            override_reason=override.reason,
            created_by=actor,
            policy=ctx.city.policy,
            now=now,
        )
        _history(
            uow,
            concern_id,
            actor,
            "routing_overridden",
            now,
            target_id=override.target_id,
            topics=list(topics),
            reason=override.reason,
        )
        uow.commit()
        return referral.id


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
