"""Use cases for volunteers: one verb per function."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from qn_contracts.matching import VolunteerRegistered, VolunteerStatusChanged
from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.errors import Conflict
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..city import City
from . import domain
from .models import Volunteer

log = get_logger(__name__)


class AccountTaken(Conflict):
    code = "account_taken"


def register_volunteer(
    cmd: domain.RegisterVolunteer,
    *,
    uow: UnitOfWork,
    city: City,
    known_skills: Sequence[str],
    registered_by: str,
    now: datetime,
) -> uuid.UUID:
    """Registers an active volunteer and announces them without name or contact."""
    domain.check_registration(cmd, city, known_skills)
    with uow:
        if cmd.account and uow.session.scalar(select(Volunteer.id).where(Volunteer.account == cmd.account)):
            raise AccountTaken(
                "Dieses Konto ist schon mit einer oder einem anderen Ehrenamtlichen verbunden.",
                "This account is already linked to another volunteer.",
                field="account",
            )
        volunteer = Volunteer(
            id=uuid.uuid4(),
            volunteer_ref=uuid.uuid4(),
            display_name=cmd.display_name,
            contact=cmd.contact,
            account=cmd.account,
            quarter_id=cmd.quarter_id,
            skills=list(cmd.skills),
            languages=list(cmd.languages),
            availability=[slot.as_dict() for slot in cmd.availability],
            status=VolunteerStatus.ACTIVE.value,
            registered_by=registered_by,
            registered_at=now,
            status_changed_at=now,
        )
        uow.session.add(volunteer)
        uow.emit(
            VolunteerRegistered(
                volunteer_ref=volunteer.volunteer_ref,
                quarter_id=cmd.quarter_id,
                skills=list(cmd.skills),
                languages=list(cmd.languages),
                status=VolunteerStatus.ACTIVE,
            )
        )
        uow.commit()
    log.info("volunteer_registered", volunteer_id=str(volunteer.id), quarter=cmd.quarter_id)
    return volunteer.id


def change_status(volunteer_id: uuid.UUID, wanted: VolunteerStatus, *, uow: UnitOfWork, now: datetime) -> None:
    """Pauses, reactivates or ends a volunteer's engagement; only active volunteers are asked."""
    with uow:
        volunteer = uow.session.get(Volunteer, volunteer_id, with_for_update=True)
        if volunteer is None:
            raise domain.volunteer_not_found(volunteer_id)
        current = VolunteerStatus(volunteer.status)
        domain.check_status_change(current, wanted)
        volunteer.status = wanted.value
        volunteer.status_changed_at = now
        uow.emit(
            VolunteerStatusChanged(
                volunteer_ref=volunteer.volunteer_ref,
                quarter_id=volunteer.quarter_id,
                from_status=current,
                to_status=wanted,
            )
        )
        uow.commit()
    log.info("volunteer_status_changed", volunteer_id=str(volunteer_id), to_status=wanted.value)


def get_volunteer(volunteer_id: uuid.UUID, *, uow: UnitOfWork) -> Volunteer:
    """One volunteer."""
    with uow:
        volunteer = uow.session.get(Volunteer, volunteer_id)
        if volunteer is None:
            raise domain.volunteer_not_found(volunteer_id)
        uow.session.expunge_all()
        return volunteer


def list_volunteers(*, uow: UnitOfWork, quarter_id: str | None = None, status: str | None = None) -> list[Volunteer]:
    """Volunteers in registration order, optionally of one quarter or status."""
    query = select(Volunteer).order_by(Volunteer.registered_at, Volunteer.id)
    if quarter_id:
        query = query.where(Volunteer.quarter_id == quarter_id)
    if status:
        query = query.where(Volunteer.status == status)
    with uow:
        volunteers = list(uow.session.scalars(query))
        uow.session.expunge_all()
        return volunteers


def find_by_account(account: str, *, uow: UnitOfWork) -> Volunteer:
    """The volunteer record linked to a login (`sub`)."""
    with uow:
        volunteer = uow.session.scalar(select(Volunteer).where(Volunteer.account == account))
        if volunteer is None:
            raise domain.VolunteerNotFound(
                "Mit dieser Anmeldung ist keine Ehrenamtliche und kein Ehrenamtlicher verbunden.",
                "No volunteer is linked to this login.",
                field="account",
            )
        uow.session.expunge_all()
        return volunteer
