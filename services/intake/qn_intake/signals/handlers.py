"""Use cases for early-warning signals and follow-up tasks: one verb per function."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qn_contracts.intake import FollowUpDone, FollowUpDue, SignalRaised
from qn_contracts.vocabulary import ConsentPurpose, RaisedBy, SignalType
from qn_infra.auth import Principal, Role
from qn_infra.database import blank_personal
from qn_infra.unit_of_work import UnitOfWork

from .. import access, internal_events
from ..access import Viewer
from ..audit.log import record_read
from ..city import Policy
from ..concerns.contacts import note_contact
from ..concerns.models import Concern
from ..consent.queries import require_consent
from ..context import IntakeContext
from ..persons.handlers import referenced_person
from ..persons.models import Person
from . import domain
from .models import FollowUp, Signal


def raise_signal(
    uow: UnitOfWork,
    *,
    signal_type: SignalType,
    quarter_id: str,
    team_id: str,
    raised_by: RaisedBy,
    raised_by_subject: str,
    concern_id: uuid.UUID | None,
    person_id: uuid.UUID | None,
    person_ref: uuid.UUID | None,
    rule_id: str | None,
    note: str | None,
    policy: Policy,
    now: datetime,
) -> Signal:
    """Adds a signal and its follow-up task for the quarter's team and emits `SignalRaised` and
    `FollowUpDue`; the caller commits. A rule that already fired for the concern fails here with
    IntegrityError (unique rule_id, concern_id)."""
    signal = Signal(
        id=uuid.uuid4(),
        signal_type=signal_type.value,
        quarter_id=quarter_id,
        team_id=team_id,
        concern_id=concern_id,
        person_id=person_id,
        raised_by=raised_by.value,
        rule_id=rule_id,
        raised_by_subject=raised_by_subject,
        note=note,
        raised_at=now,
    )
    uow.session.add(signal)
    uow.session.flush()  # the follow-up refers to the signal; and a rule's duplicate fails right here
    follow_up = FollowUp(
        id=uuid.uuid4(),
        signal_id=signal.id,
        concern_id=concern_id,
        quarter_id=quarter_id,
        team_id=team_id,
        reason=signal_type.value,
        due_at=domain.follow_up_due(policy, signal_type, now),
        status="open",
        created_at=now,
    )
    uow.session.add(follow_up)
    # person_ref only: names, contact details and the free-text note never leave intake
    uow.emit(
        SignalRaised(
            signal_id=signal.id,
            quarter_id=quarter_id,
            signal_type=signal_type,
            raised_by=raised_by,
            rule_id=rule_id,
            concern_id=concern_id,
            person_ref=person_ref,
        )
    )
    uow.emit(
        FollowUpDue(
            follow_up_id=follow_up.id,
            quarter_id=quarter_id,
            team_id=team_id,
            due_at=follow_up.due_at,
            signal_id=signal.id,
            concern_id=concern_id,
            reason=signal_type.value,
        )
    )
    return signal


@dataclass(frozen=True)
class ReportSignal:
    """A signal as staff or a Kümmerer report it: about a concern, a person, an address or a quarter."""

    signal_type: SignalType
    concern_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    quarter_id: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class _Subject:
    quarter_id: str
    team_id: str
    concern_id: uuid.UUID | None
    person_id: uuid.UUID | None
    person_ref: uuid.UUID | None
    from_person: bool = False
    """True when the person's home quarter placed the signal."""


def report_signal(
    cmd: ReportSignal, *, uow: UnitOfWork, ctx: IntakeContext, principal: Principal, now: datetime
) -> uuid.UUID:
    """Records a signal reported by staff or a Kümmerer (not a rule) and the follow-up it needs."""
    viewer = access.viewer_of(principal)
    with uow:
        where = _locate(cmd, uow.session, ctx, viewer)
        if where.from_person:
            # the person's home quarter was read to place the signal: that is a read of their data
            record_read(
                uow.session,
                principal,
                at=now,
                purpose="follow_up",
                subject_type="person",
                subject_id=str(where.person_id),
                fields=["quarter_id"],
            )
        signal = raise_signal(
            uow,
            signal_type=cmd.signal_type,
            quarter_id=where.quarter_id,
            team_id=where.team_id,
            raised_by=RaisedBy.KUEMMERER if principal.has_any(Role.KUEMMERER) else RaisedBy.STAFF,
            raised_by_subject=principal.subject,
            concern_id=where.concern_id,
            person_id=where.person_id,
            person_ref=where.person_ref,
            rule_id=None,
            note=cmd.note,
            policy=ctx.city.policy,
            now=now,
        )
        uow.commit()
        return signal.id


def _locate(cmd: ReportSignal, session: Session, ctx: IntakeContext, viewer: Viewer) -> _Subject:
    """The quarter a signal belongs to: the concern's, else the address's or the given quarter's,
    else the person's. Giving a place together with a concern would be ambiguous: refused."""
    city = ctx.city
    if cmd.quarter_id and cmd.street:
        raise domain.location_problem(
            "quarter_id",
            "Bitte entweder eine Adresse oder ein Quartier angeben, nicht beides.",
            "Please give either an address or a quarter, not both.",
        )
    concern = session.get(Concern, cmd.concern_id) if cmd.concern_id else None
    if cmd.concern_id and concern is None:
        raise domain.location_problem(
            "concern_id", f"Anliegen {cmd.concern_id} gibt es nicht.", f"Concern {cmd.concern_id} does not exist."
        )
    if concern is not None and not access.may_see_concern(viewer, concern):
        raise access.NotYours(
            "Keine Berechtigung: das Anliegen gehört nicht zu Ihrer Arbeit; melden Sie das Signal mit Adresse "
            "oder Quartier.",
            "Not allowed: the concern is not part of your work; raise the signal with an address or a quarter.",
            field="concern_id",
        )
    if concern is not None and (cmd.quarter_id or cmd.street):
        raise domain.location_problem(
            "address" if cmd.street else "quarter_id",
            "Das Anliegen bestimmt das Quartier bereits; bitte keine Adresse und kein Quartier dazu angeben.",
            "The concern already determines the quarter; please give no address or quarter with it.",
        )
    person = _person(session, cmd, concern, viewer)
    from_person = False
    if concern is not None:
        quarter_id = concern.quarter_id
    elif cmd.street:
        quarter_id = ctx.directory.resolve(cmd.street, cmd.house_number, cmd.postcode).quarter_id
    elif cmd.quarter_id:
        quarter_id = cmd.quarter_id
    elif person is not None and person.quarter_id:
        quarter_id, from_person = person.quarter_id, True
    else:
        raise domain.location_problem(
            "quarter_id",
            "Bitte ein Anliegen, eine Person mit bekanntem Quartier, eine Adresse oder ein Quartier angeben.",
            "Please give a concern, a person whose quarter is known, an address or a quarter.",
        )
    quarter = city.quarter(quarter_id)
    if quarter is None and concern is None:
        known = ", ".join(sorted(city.quarters))
        raise domain.location_problem(
            "address" if cmd.street else "quarter_id",
            f"Quartier '{quarter_id}' gibt es nicht. Bekannte Quartiere: {known}.",
            f"Unknown quarter '{quarter_id}'. Known quarters: {known}.",
        )
    # a concern whose quarter left the configuration stays with the team it was recorded for
    team_id = quarter.team if quarter is not None else concern.team_id  # type: ignore[union-attr]
    return _Subject(
        quarter_id=quarter_id,
        team_id=team_id,
        concern_id=concern.id if concern else None,
        person_id=person.id if person else None,
        person_ref=person.person_ref if person else None,
        from_person=from_person,
    )


def _person(session: Session, cmd: ReportSignal, concern: Concern | None, viewer: Viewer) -> Person | None:
    """The person the signal is about: the one named, or the concern's."""
    if cmd.person_id is None:
        if concern is None or concern.person_id is None:
            return None
        person = session.get(Person, concern.person_id)
        # an erased person's reference is forgotten everywhere: no new event may carry it
        return person if person is not None and person.erased_at is None else None
    person = referenced_person(session, cmd.person_id, viewer)
    if concern is not None and concern.person_id not in (None, person.id):
        raise domain.location_problem(
            "person_id", "Die Person gehört nicht zu diesem Anliegen.", "The person does not belong to this concern."
        )
    return person


def complete_follow_up(
    follow_up_id: uuid.UUID,
    *,
    outcome: str,
    note: str | None,
    uow: UnitOfWork,
    done_by: str,
    allowed_team: str | None,
    now: datetime,
) -> FollowUp:
    """Marks a follow-up done with its outcome and emits `FollowUpDone`. Recording that a person
    was contacted needs their consent to follow-up contact (403 otherwise)."""
    domain.check_outcome(outcome)
    with uow:
        # lock the row: two people completing the same task at once get 409, not two events
        follow_up = uow.session.scalars(select(FollowUp).where(FollowUp.id == follow_up_id).with_for_update()).first()
        if follow_up is None:
            raise domain.follow_up_not_found(follow_up_id)
        access.check_team(follow_up.team_id, allowed_team)
        if follow_up.status == "done":
            raise domain.already_done(follow_up.id, follow_up.outcome, follow_up.done_at)
        person_id = _person_of(uow.session, follow_up)
        if outcome == domain.CONTACTED and person_id is not None:
            require_consent(uow.session, person_id, ConsentPurpose.FOLLOW_UP_CONTACT.value, now=now)
        follow_up.status, follow_up.outcome, follow_up.done_at, follow_up.done_by = "done", outcome, now, done_by
        follow_up.note = note
        if follow_up.concern_id is not None and outcome in (domain.CONTACTED, "could_not_contact"):
            # the concern shows the contact too, and a reached person resets its no-contact clock
            note_contact(
                uow.session,
                follow_up.concern_id,
                at=now,
                actor=done_by,
                channel=None,
                reached=outcome == domain.CONTACTED,
                via="follow_up",
            )
        uow.emit(
            FollowUpDone(
                follow_up_id=follow_up.id,
                quarter_id=follow_up.quarter_id,
                team_id=follow_up.team_id,
                outcome=outcome,
                on_time=now <= follow_up.due_at,  # reporting keeps no task: it learns this here
            )
        )
        uow.commit()
        uow.session.refresh(follow_up)
        uow.session.expunge(follow_up)
        return follow_up


def _person_of(session: Session, follow_up: FollowUp) -> uuid.UUID | None:
    """The person a follow-up is about: its signal's, else its concern's (None when anonymous)."""
    signal = session.get(Signal, follow_up.signal_id) if follow_up.signal_id else None
    if signal is not None and signal.person_id is not None:
        return signal.person_id
    concern = session.get(Concern, follow_up.concern_id) if follow_up.concern_id else None
    return concern.person_id if concern is not None else None


def forget_person(event: internal_events.PersonErased, uow: UnitOfWork) -> None:
    """Reaction: erasure -- what was observed about the person (signal notes) and noted on their
    follow-ups is blanked; the signals stay as counts with their quarter and type."""
    session = uow.session
    concern_ids = select(Concern.id).where(Concern.person_id == event.person_id)
    about_them = or_(Signal.person_id == event.person_id, Signal.concern_id.in_(concern_ids))
    signal_ids = list(session.scalars(select(Signal.id).where(about_them)))
    session.flush()
    blank_personal(session, Signal, Signal.id.in_(signal_ids))
    blank_personal(session, FollowUp, or_(FollowUp.signal_id.in_(signal_ids), FollowUp.concern_id.in_(concern_ids)))
    session.expire_all()
