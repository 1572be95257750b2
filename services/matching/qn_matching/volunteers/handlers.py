"""Use cases for volunteers: one verb per function."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from qn_contracts.matching import VolunteerRegistered, VolunteerStatusChanged
from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.errors import Conflict
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..city import City
from . import domain
from .models import Absence, Volunteer
from .vetting import Vetting

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
    status: VolunteerStatus = VolunteerStatus.ACTIVE,
    application_ref: str | None = None,
    max_reach_km: float = 15.0,
) -> uuid.UUID:
    """Registers a volunteer and announces them without name or contact: `active` when a
    coordinator registers them (that is their approval), `prospective` when they registered
    themself (`apply`)."""
    domain.check_registration(cmd, city, known_skills, max_reach_km)
    with uow:
        if cmd.account:
            _check_account_free(uow, cmd.account, None)
        volunteer = Volunteer(
            id=uuid.uuid4(),
            volunteer_ref=uuid.uuid4(),
            display_name=cmd.display_name,
            contact=cmd.contact,
            email=cmd.email,
            account=cmd.account,
            quarter_id=cmd.quarter_id,
            skills=list(cmd.skills),
            skill_levels={skill: level.value for skill, level in (cmd.skill_levels or {}).items()} or None,
            languages=list(cmd.languages),
            availability=[slot.as_dict() for slot in cmd.availability],
            reach=cmd.reach,
            reach_km=cmd.reach_km,
            max_open_tasks=cmd.max_open_tasks,
            status=status.value,
            application_ref=application_ref,
            registered_by=registered_by,
            registered_at=now,
            status_changed_at=now,
            status_changed_by=registered_by,
        )
        uow.session.add(volunteer)
        uow.emit(
            VolunteerRegistered(
                volunteer_ref=volunteer.volunteer_ref,
                quarter_id=cmd.quarter_id,
                skills=list(cmd.skills),
                languages=list(cmd.languages),
                status=status,
            )
        )
        uow.commit()
    log.info("volunteer_registered", volunteer_id=str(volunteer.id), quarter=cmd.quarter_id)
    return volunteer.id


# A self-registration's reference: short enough to read out on the phone, without 0/O, 1/I/L
_REFERENCE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_application_ref() -> str:
    """`QN-7K3M-X9PD`: what an applicant is told, and quotes when they call the team."""
    letters = "".join(secrets.choice(_REFERENCE_LETTERS) for _ in range(8))
    return f"QN-{letters[:4]}-{letters[4:]}"


def apply(
    cmd: domain.RegisterVolunteer,
    *,
    uow: UnitOfWork,
    city: City,
    known_skills: Sequence[str],
    now: datetime,
    max_reach_km: float = 15.0,
) -> str:
    """A self-registration without a login: a prospective volunteer a coordinator reviews; the
    answer is a reference and nothing else."""
    reference = new_application_ref()
    register_volunteer(
        cmd,
        uow=uow,
        city=city,
        known_skills=known_skills,
        registered_by="self-registration",
        now=now,
        status=VolunteerStatus.PROSPECTIVE,
        application_ref=reference,
        max_reach_km=max_reach_km,
    )
    return reference


def change_status(
    volunteer_id: uuid.UUID,
    wanted: VolunteerStatus,
    *,
    archive_reason: domain.ArchiveReason | None = None,
    account: str | None = None,
    uow: UnitOfWork,
    changed_by: str,
    now: datetime,
) -> None:
    """Approves or denies an applicant, pauses, reactivates or archives a volunteer (with the
    reason); only active volunteers are asked. On approval a coordinator may link the
    volunteer's login (`account`)."""
    with uow:
        volunteer = uow.session.get(Volunteer, volunteer_id, with_for_update=True)
        if volunteer is None:
            raise domain.volunteer_not_found(volunteer_id)
        current = VolunteerStatus(volunteer.status)
        archived_for = domain.ArchiveReason(volunteer.archive_reason) if volunteer.archive_reason else None
        domain.check_status_change(current, wanted, archive_reason, archived_for=archived_for)
        if account is not None:
            _check_account_free(uow, account, volunteer.id)
            volunteer.account = account
        volunteer.status = wanted.value
        volunteer.archive_reason = archive_reason.value if archive_reason else None
        volunteer.status_changed_at, volunteer.status_changed_by = now, changed_by
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


def list_volunteers(
    *, uow: UnitOfWork, quarter_id: str | None = None, status: str | None = None, vetting_due_by: date | None = None
) -> list[Volunteer]:
    """Volunteers in registration order, optionally of one quarter or status, or whose police
    certificate is due to be seen again by a day."""
    query = select(Volunteer).order_by(Volunteer.registered_at, Volunteer.id)
    if vetting_due_by:
        query = query.where(Volunteer.vetting_recheck_on <= vetting_due_by)
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


def _check_account_free(uow: UnitOfWork, account: str, volunteer_id: uuid.UUID | None) -> None:
    holder = uow.session.scalar(select(Volunteer.id).where(Volunteer.account == account))
    if holder is not None and holder != volunteer_id:
        raise AccountTaken(
            "Dieses Konto ist schon mit einer oder einem anderen Ehrenamtlichen verbunden.",
            "This account is already linked to another volunteer.",
            field="account",
        )


@dataclass(frozen=True)
class ProfileChange:
    """What changes about a volunteer's offer; `changed` names the fields given (None may clear)."""

    changed: frozenset[str]
    skills: Sequence[str] | None = None
    languages: Sequence[str] | None = None
    availability: Sequence[domain.Slot] | None = None
    reach: str | None = None
    reach_km: float | None = None
    max_open_tasks: int | None = None
    email: str | None = None
    skill_levels: dict[str, domain.SkillLevel] | None = None


def update_profile(
    volunteer_id: uuid.UUID,
    change: ProfileChange,
    *,
    uow: UnitOfWork,
    known_skills: Sequence[str],
    max_reach_km: float,
) -> None:
    """What a volunteer (or a coordinator for them) changes about what they offer: skills,
    languages, weekly availability, reach, their cap. Left out is left as it is."""
    domain.check_profile(change.skills or (), change.availability or (), known_skills)
    with uow:
        volunteer = uow.session.get(Volunteer, volunteer_id, with_for_update=True)
        if volunteer is None:
            raise domain.volunteer_not_found(volunteer_id)
        if "reach" in change.changed or "reach_km" in change.changed:
            reach = change.reach or volunteer.reach
            km = change.reach_km if "reach_km" in change.changed else None
            domain.check_reach(reach, km, max_reach_km)
            volunteer.reach, volunteer.reach_km = reach, km
        if change.skills is not None:
            volunteer.skills = list(dict.fromkeys(change.skills))
        if "skill_levels" in change.changed:
            volunteer.skill_levels = {s: level.value for s, level in (change.skill_levels or {}).items()} or None
        if change.skills is not None or "skill_levels" in change.changed:
            # a level stays only with its skill: dropping a skill drops its level
            levels = {s: domain.SkillLevel(v) for s, v in (volunteer.skill_levels or {}).items()}
            if "skill_levels" in change.changed:
                domain.check_levels(levels, volunteer.skills)
            else:
                levels = {s: v for s, v in levels.items() if s in volunteer.skills}
                volunteer.skill_levels = {s: v.value for s, v in levels.items()} or None
        if change.languages is not None:
            volunteer.languages = list(dict.fromkeys(change.languages))
        if change.availability is not None:
            volunteer.availability = [slot.as_dict() for slot in change.availability]
        if "max_open_tasks" in change.changed:
            volunteer.max_open_tasks = change.max_open_tasks
        if "email" in change.changed:
            volunteer.email = change.email
        uow.commit()
    # the field names only, never the values (an e-mail address is personal data)
    log.info("volunteer_profile_changed", volunteer_id=str(volunteer_id), fields=sorted(change.changed))


def record_vetting(volunteer_id: uuid.UUID, vetting: Vetting, *, uow: UnitOfWork, now: datetime) -> None:
    """Keeps what the data-minimal practice allows of an inspected police certificate."""
    with uow:
        volunteer = uow.session.get(Volunteer, volunteer_id, with_for_update=True)
        if volunteer is None:
            raise domain.volunteer_not_found(volunteer_id)
        volunteer.vetting_inspected_by = vetting.inspected_by
        volunteer.vetting_certificate_date = vetting.certificate_date
        volunteer.vetting_no_relevant_entry = vetting.no_relevant_entry
        volunteer.vetting_recheck_on = vetting.recheck_on
        volunteer.vetting_recorded_at = now
        uow.commit()
    log.info("volunteer_vetting_recorded", volunteer_id=str(volunteer_id), recheck_on=vetting.recheck_on.isoformat())


def add_absence(
    volunteer_id: uuid.UUID,
    starts_on: date,
    ends_on: date,
    reason: domain.AbsenceReason,
    *,
    uow: UnitOfWork,
    entered_by: str,
    now: datetime,
    today: date,
) -> uuid.UUID:
    """A pause with a date range (holiday, illness): the volunteer is not asked while it lasts
    and is asked again afterwards, without anyone having to remember."""
    domain.check_absence(starts_on, ends_on, today)
    with uow:
        volunteer = uow.session.get(Volunteer, volunteer_id, with_for_update=True)
        if volunteer is None:
            raise domain.volunteer_not_found(volunteer_id)
        absence = Absence(
            id=uuid.uuid4(),
            volunteer_id=volunteer_id,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.value,
            entered_by=entered_by,
            entered_at=now,
        )
        uow.session.add(absence)
        uow.commit()
    log.info("volunteer_absence_added", volunteer_id=str(volunteer_id), days=(ends_on - starts_on).days + 1)
    return absence.id
