"""When the volunteer goes: after accepting, they agree a time with the person and note it here.
The reminder before the task and the volunteer's calendar feed use it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from qn_infra.auth import Principal
from qn_infra.errors import Invalid
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from . import domain
from .domain import MatchStatus
from .handlers import _locked_match

log = get_logger(__name__)

LONGEST = timedelta(hours=24)
"""One visit; a longer engagement is several tasks (as with hours)."""


class InvalidAppointment(Invalid):
    code = "invalid_appointment"


def check_appointment(starts_at: datetime, ends_at: datetime | None, now: datetime) -> None:
    """Refuses a time already past, an end not after the start, and a visit longer than a day."""
    if starts_at <= now:
        raise InvalidAppointment(
            "Der Termin liegt in der Vergangenheit.", "The appointment lies in the past.", field="starts_at"
        )
    if ends_at is not None and not starts_at < ends_at <= starts_at + LONGEST:
        raise InvalidAppointment(
            "Das Ende muss nach dem Beginn und höchstens 24 Stunden danach liegen.",
            "The end must be after the start and at most 24 hours later.",
            field="ends_at",
        )


def set_appointment(
    match_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime | None,
    *,
    uow: UnitOfWork,
    principal: Principal,
    now: datetime,
) -> None:
    """Notes the agreed time of an accepted task (or moves it: a moved time is reminded anew)."""
    check_appointment(starts_at, ends_at, now)
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        domain.check_open(MatchStatus(match.status), MatchStatus.ACCEPTED)
        match.appointment_starts_at, match.appointment_ends_at = starts_at, ends_at
        uow.commit()
    log.info("appointment_set", match_id=str(match_id))
