"""The periodic reminder round: find what is due, claim each reminder in the database, then hand it
to the channel. Claiming first makes a reminder go out at most once -- a restart or a second
replica finds it claimed -- and a refusal by the channel is remembered and tried again."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..city import City
from ..hours.domain import HoursStatus
from ..hours.models import HoursEntry
from ..matches.domain import MatchStatus
from ..matches.models import HelpRequest, Match
from ..volunteers.models import Volunteer
from . import texts
from .models import SentReminder
from .port import Message, NotDelivered, Notifier, Recipient
from .reminders import (
    ReminderKind,
    ReminderStatus,
    Timings,
    To,
    hours_waiting_too_long,
    proposal_expires_soon,
    reminder_key,
    status_after_failure,
    task_starts_soon,
    vetting_due_soon,
)

log = get_logger(__name__)

# volunteers whose certificate still matters: not the archived, denied or not yet reviewed
VETTING_STATUSES = (VolunteerStatus.APPROVED.value, VolunteerStatus.ACTIVE.value, VolunteerStatus.PAUSED.value)


@dataclass(frozen=True)
class Due:
    key: str
    kind: ReminderKind
    to: To
    address: str | None
    message: Message
    volunteer_id: uuid.UUID | None = None
    match_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ReminderRound:
    """What one round needs; built once in the composition root."""

    timings: Timings
    city: City
    coordinator_email: str | None

    @property
    def tz(self) -> ZoneInfo:
        return self.city.timezone


def find_due(uow: UnitOfWork, *, now: datetime, setup: ReminderRound) -> list[Due]:
    """Every reminder due now, sent or not (the claim sorts out which are new)."""
    with uow:
        found = [
            *_tasks(uow, now, setup),
            *_proposals(uow, now, setup),
            *_vetting(uow, now, setup),
            *_hours(uow, now, setup),
        ]
        uow.session.expunge_all()
    return found


def _tasks(uow: UnitOfWork, now: datetime, setup: ReminderRound) -> Iterator[Due]:
    timings = setup.timings
    rows = uow.session.execute(
        select(Match, HelpRequest)
        .join(HelpRequest, Match.help_request_id == HelpRequest.id)
        .where(
            Match.status == MatchStatus.ACCEPTED.value,
            Match.appointment_starts_at > now,
            Match.appointment_starts_at <= now + timings.task_before,
        )
    )
    for match, request in rows:
        starts = match.appointment_starts_at
        if starts is None or not task_starts_soon(starts, now, timings):
            continue
        yield Due(
            key=reminder_key(ReminderKind.TASK_STARTS, To.VOLUNTEER, match.id, starts.isoformat()),
            kind=ReminderKind.TASK_STARTS,
            to=To.VOLUNTEER,
            address=match.volunteer.email,
            message=texts.task_starts(
                request.help_kind,
                setup.city.quarter_name(request.quarter_id),
                starts,
                match.appointment_ends_at,
                setup.tz,
            ),
            volunteer_id=match.volunteer_id,
            match_id=match.id,
        )


def _proposals(uow: UnitOfWork, now: datetime, setup: ReminderRound) -> Iterator[Due]:
    timings = setup.timings
    rows = uow.session.execute(
        select(Match, HelpRequest)
        .join(HelpRequest, Match.help_request_id == HelpRequest.id)
        .where(
            Match.status == MatchStatus.PROPOSED.value,
            Match.expires_at > now,
            Match.expires_at <= now + timings.proposal_before,
        )
    )
    for match, request in rows:
        if not proposal_expires_soon(match.proposed_at, match.expires_at, now, timings):
            continue
        yield Due(
            key=reminder_key(ReminderKind.PROPOSAL_EXPIRES, To.VOLUNTEER, match.id),
            kind=ReminderKind.PROPOSAL_EXPIRES,
            to=To.VOLUNTEER,
            address=match.volunteer.email,
            message=texts.proposal_expires(
                request.help_kind, setup.city.quarter_name(request.quarter_id), match.expires_at, setup.tz
            ),
            volunteer_id=match.volunteer_id,
            match_id=match.id,
        )


def _vetting(uow: UnitOfWork, now: datetime, setup: ReminderRound) -> Iterator[Due]:
    today = now.astimezone(setup.tz).date()
    volunteers = uow.session.scalars(
        select(Volunteer).where(
            Volunteer.status.in_(VETTING_STATUSES),
            Volunteer.vetting_recheck_on <= today + setup.timings.vetting_before,
        )
    )
    for volunteer in volunteers:
        recheck = volunteer.vetting_recheck_on
        if recheck is None or not vetting_due_soon(recheck, today, setup.timings):
            continue
        yield Due(
            key=reminder_key(ReminderKind.VETTING_DUE, To.VOLUNTEER, volunteer.id, recheck.isoformat()),
            kind=ReminderKind.VETTING_DUE,
            to=To.VOLUNTEER,
            address=volunteer.email,
            message=texts.vetting_due_volunteer(recheck),
            volunteer_id=volunteer.id,
        )
        yield Due(
            key=reminder_key(ReminderKind.VETTING_DUE, To.COORDINATOR, volunteer.id, recheck.isoformat()),
            kind=ReminderKind.VETTING_DUE,
            to=To.COORDINATOR,
            address=setup.coordinator_email,
            message=texts.vetting_due_coordinator(volunteer.display_name, str(volunteer.id), recheck),
            volunteer_id=volunteer.id,
        )


def _hours(uow: UnitOfWork, now: datetime, setup: ReminderRound) -> Iterator[Due]:
    rows = uow.session.execute(
        select(HoursEntry, Match, HelpRequest)
        .join(Match, HoursEntry.match_id == Match.id)
        .join(HelpRequest, Match.help_request_id == HelpRequest.id)
        .where(
            HoursEntry.status == HoursStatus.SUBMITTED.value,
            HoursEntry.logged_at <= now - setup.timings.hours_after,
        )
    )
    for entry, match, request in rows:
        if not hours_waiting_too_long(entry.logged_at, now, setup.timings):
            continue
        yield Due(
            key=reminder_key(ReminderKind.HOURS_WAITING, To.COORDINATOR, entry.id),
            kind=ReminderKind.HOURS_WAITING,
            to=To.COORDINATOR,
            address=setup.coordinator_email,
            message=texts.hours_waiting(
                match.volunteer.display_name, entry.hours, request.help_kind, entry.logged_at, str(entry.id), setup.tz
            ),
            volunteer_id=match.volunteer_id,
            match_id=match.id,
        )


def send_due_reminders(
    *, new_uow: Callable[[], UnitOfWork], notifier: Notifier, now: datetime, setup: ReminderRound
) -> int:
    """Sends every reminder that is due and not sent yet; returns how many went out."""
    sent = 0
    for due in find_due(new_uow(), now=now, setup=setup):
        if not _claim(new_uow(), due, now):
            continue
        if due.address is None:
            log.info("reminder_without_address", kind=due.kind.value, to=due.to.value, key=due.key)
            continue
        try:
            notifier.send(Recipient(due.address), due.message)
        except NotDelivered as exc:
            status = _settle(new_uow(), due.key, None, now)
            log.warning("reminder_not_delivered", kind=due.kind.value, key=due.key, reason=str(exc), status=status)
            continue
        _settle(new_uow(), due.key, ReminderStatus.SENT, now)
        log.info("reminder_sent", kind=due.kind.value, to=due.to.value, key=due.key)
        sent += 1
    return sent


def _claim(uow: UnitOfWork, due: Due, now: datetime) -> bool:
    """Writes the reminder down before it goes out; False when it was dealt with already."""
    status = ReminderStatus.CLAIMED if due.address is not None else ReminderStatus.NO_ADDRESS
    try:
        with uow:
            known = uow.session.get(SentReminder, due.key, with_for_update=True)
            if known is None:
                uow.session.add(
                    SentReminder(
                        key=due.key,
                        kind=due.kind.value,
                        recipient=due.to.value,
                        volunteer_id=due.volunteer_id,
                        match_id=due.match_id,
                        status=status.value,
                        attempts=1 if due.address is not None else 0,
                        created_at=now,
                        updated_at=now,
                    )
                )
            elif known.status == ReminderStatus.FAILED.value and due.address is not None:
                known.status, known.attempts, known.updated_at = status.value, known.attempts + 1, now
            else:
                return False
            uow.commit()
    except IntegrityError:
        return False  # another replica claimed it at the same moment
    return True


def _settle(uow: UnitOfWork, key: str, status: ReminderStatus | None, now: datetime) -> str:
    """Records the outcome; None: the channel refused it (failed, or given up after enough tries)."""
    with uow:
        reminder = uow.session.get(SentReminder, key, with_for_update=True)
        assert reminder is not None, key
        outcome = status or status_after_failure(reminder.attempts)
        reminder.status, reminder.updated_at = outcome.value, now
        uow.commit()
    return outcome.value
