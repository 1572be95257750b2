"""Attendance of one occurrence ("Frequentierung", concept section 6): the coordinator counts who
came, optionally new and returning visitors and age bands, and reporting aggregates it for the
committee. Counts only: nothing here can name a person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from qn_contracts.scheduling import OccurrenceAttended
from qn_contracts.vocabulary import AgeBand
from qn_infra.auth import Principal
from qn_infra.errors import Conflict, Invalid
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..registrations.handlers import registered_places
from ..sites.handlers import SchedulingContext
from ..sites.models import Site
from . import domain
from .calendar_rules import OccurrenceStatus
from .models import Occurrence

log = get_logger(__name__)


@dataclass(frozen=True)
class Attendance:
    count: int
    new_visitors: int | None = None
    returning_visitors: int | None = None
    by_age_band: dict[AgeBand, int] | None = None


class InvalidAttendance(Invalid):
    code = "invalid_attendance"


class AttendanceRecorded(Conflict):
    code = "attendance_already_recorded"


def check_attendance(attendance: Attendance) -> None:
    """The parts add up to the whole, where they are given."""
    new, returning = attendance.new_visitors, attendance.returning_visitors
    if new is not None and returning is not None and new + returning != attendance.count:
        raise InvalidAttendance(
            f"Neue ({new}) und wiederkehrende ({returning}) Besucher ergeben nicht {attendance.count}.",
            f"New ({new}) and returning ({returning}) visitors do not add up to {attendance.count}.",
            field="returning_visitors",
        )
    for name, part in (("new_visitors", new), ("returning_visitors", returning)):
        if part is not None and part > attendance.count:
            raise InvalidAttendance(
                f"Mehr als {attendance.count} insgesamt geht nicht.",
                f"More than {attendance.count} in all.",
                field=name,
            )
    if attendance.by_age_band is not None and sum(attendance.by_age_band.values()) != attendance.count:
        raise InvalidAttendance(
            f"Die Altersgruppen ergeben zusammen nicht {attendance.count}.",
            f"The age bands do not add up to {attendance.count}.",
            field="by_age_band",
        )


def record_attendance(
    occurrence_id: uuid.UUID,
    attendance: Attendance,
    *,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> Occurrence:
    """Records who came to an occurrence that has begun, once, and announces it for reporting."""
    check_attendance(attendance)
    with uow:
        occurrence = uow.session.get(Occurrence, occurrence_id, with_for_update=True)
        if occurrence is None:
            raise domain.occurrence_not_found(occurrence_id)
        offer = occurrence.offer
        access.check_own_booking(principal, offer.org_id)
        if occurrence.status != OccurrenceStatus.SCHEDULED.value:
            raise domain.not_changeable(occurrence.status)
        if occurrence.starts_at > now:
            raise InvalidAttendance(
                "Teilnahme kann erst ab Beginn des Termins erfasst werden.",
                "Attendance can be recorded once the occurrence has begun.",
                field="occurrence_id",
            )
        if occurrence.attendance is not None:
            raise AttendanceRecorded(
                f"Für diesen Termin ist die Teilnahme schon erfasst ({occurrence.attendance}).",
                f"Attendance of this occurrence is recorded already ({occurrence.attendance}).",
                field="occurrence_id",
            )
        site = uow.session.get(Site, occurrence.site_id)
        assert site is not None
        occurrence.attendance = attendance.count
        occurrence.new_visitors, occurrence.returning_visitors = attendance.new_visitors, attendance.returning_visitors
        bands = {band.value: n for band, n in attendance.by_age_band.items()} if attendance.by_age_band else None
        occurrence.by_age_band, occurrence.attendance_recorded_at = bands, now
        uow.emit(
            OccurrenceAttended(
                offer_id=offer.id,
                site_id=site.id,
                quarter_id=site.quarter_id,
                occurrence_start=occurrence.starts_at.astimezone(ctx.tz),
                attendance=attendance.count,
                topics=list(offer.topics),
                new_visitors=attendance.new_visitors,
                returning_visitors=attendance.returning_visitors,
                by_age_band=attendance.by_age_band,
                capacity=offer.capacity,
                kind=offer.kind,
                registered=registered_places(uow, occurrence.id) if offer.capacity is not None else None,
            )
        )
        uow.commit()
        log.info("occurrence_attended", occurrence_id=str(occurrence.id), offer_id=str(offer.id))
        uow.session.expunge_all()
        return occurrence
