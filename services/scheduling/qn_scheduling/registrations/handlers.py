"""Use cases for registrations: one verb per function. The occurrence row is locked while places
are counted, so two registrations for the last place are decided one after the other."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select

from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..offers import domain as offers_domain
from ..offers.calendar_rules import OccurrenceStatus
from ..offers.models import Occurrence
from . import domain
from .domain import RegistrationStatus
from .models import Registration

log = get_logger(__name__)
ACTIVE = (RegistrationStatus.REGISTERED.value, RegistrationStatus.WAITING.value)


def register(
    occurrence_id: uuid.UUID,
    *,
    places: int,
    person_ref: uuid.UUID | None,
    uow: UnitOfWork,
    principal: Principal,
    now: datetime,
) -> Registration:
    """Takes places at an occurrence, or a place on its waitlist when they are gone."""
    with uow:
        occurrence = _occurrence(uow, occurrence_id, principal)
        capacity = occurrence.offer.capacity
        if capacity is None:
            raise domain.no_registration()
        if occurrence.status != OccurrenceStatus.SCHEDULED.value:
            raise domain.not_open(occurrence.status)
        if occurrence.starts_at <= now:
            raise offers_domain.in_the_past("occurrence_id")
        domain.check_places(places, capacity)
        active = _active(uow, occurrence_id)
        if person_ref is not None and any(r.person_ref == person_ref for r in active):
            raise domain.already_registered()
        taken = sum(r.places for r in active if r.status == RegistrationStatus.REGISTERED)
        waiting = any(r.status == RegistrationStatus.WAITING for r in active)
        registration = Registration(
            id=uuid.uuid4(), occurrence_id=occurrence_id, offer_id=occurrence.offer_id, places=places,
            person_ref=person_ref, status=domain.status_for(places, capacity, taken, waiting).value,
            registered_by=principal.subject, created_at=now, position=_next_position(uow, occurrence_id),
        )  # fmt: skip
        uow.session.add(registration)
        uow.commit()
        log.info("registered", occurrence_id=str(occurrence_id), places=places, status=registration.status)
        uow.session.expunge_all()
        return registration


def cancel_registration(
    registration_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal, now: datetime
) -> tuple[Registration, list[Registration]]:
    """Gives the places back; those waiting move up, earliest first, each one that fits. Returns
    the cancelled registration and those that moved up."""
    with uow:
        registration = uow.session.get(Registration, registration_id)
        if registration is None:
            raise domain.registration_not_found(registration_id)
        occurrence = _occurrence(uow, registration.occurrence_id, principal)
        if registration.status == RegistrationStatus.CANCELLED:
            raise domain.already_cancelled()
        freed = registration.status == RegistrationStatus.REGISTERED
        registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED.value, now
        moved: list[Registration] = []
        if freed and occurrence.offer.capacity is not None:
            active = _active(uow, occurrence.id)
            taken = sum(r.places for r in active if r.status == RegistrationStatus.REGISTERED)
            queue = [r for r in active if r.status == RegistrationStatus.WAITING]
            promoted = set(
                domain.moving_up([domain.Held(r.id, r.places) for r in queue], occurrence.offer.capacity, taken)
            )
            for waiting in queue:
                if waiting.id in promoted:
                    waiting.status, waiting.moved_up_at = RegistrationStatus.REGISTERED.value, now
                    moved.append(waiting)
        uow.commit()
        log.info("registration_cancelled", occurrence_id=str(occurrence.id), moved_up=len(moved))
        uow.session.expunge_all()
        return registration, moved


def list_registrations(
    occurrence_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal
) -> tuple[int | None, list[Registration]]:
    """The offer's capacity and the occurrence's registrations in the order they came
    (cancelled ones included)."""
    with uow:
        occurrence = _occurrence(uow, occurrence_id, principal, lock=False)
        capacity = occurrence.offer.capacity
        registrations = list(
            uow.session.scalars(
                select(Registration).where(Registration.occurrence_id == occurrence_id).order_by(Registration.position)
            ).all()
        )
        uow.session.expunge_all()
        return capacity, registrations


def registered_places(uow: UnitOfWork, occurrence_id: uuid.UUID) -> int:
    """Places taken at an occurrence (for the attendance event's `registered`)."""
    return sum(r.places for r in _active(uow, occurrence_id) if r.status == RegistrationStatus.REGISTERED)


def _occurrence(uow: UnitOfWork, occurrence_id: uuid.UUID, principal: Principal, *, lock: bool = True) -> Occurrence:
    occurrence = uow.session.get(Occurrence, occurrence_id, with_for_update=lock)
    if occurrence is None:
        raise offers_domain.occurrence_not_found(occurrence_id)
    access.check_own_booking(principal, occurrence.offer.org_id)
    return occurrence


def _next_position(uow: UnitOfWork, occurrence_id: uuid.UUID) -> int:
    """Where a new registration queues: after every earlier one (the occurrence row is locked)."""
    last = uow.session.scalar(
        select(func.max(Registration.position)).where(Registration.occurrence_id == occurrence_id)
    )
    return (last or 0) + 1


def _active(uow: UnitOfWork, occurrence_id: uuid.UUID) -> list[Registration]:
    return list(
        uow.session.scalars(
            select(Registration)
            .where(Registration.occurrence_id == occurrence_id, Registration.status.in_(ACTIVE))
            .order_by(Registration.position)
        ).all()
    )
