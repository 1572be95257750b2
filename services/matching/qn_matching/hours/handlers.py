"""Use cases for hours: log (the volunteer, or a coordinator for them or from a paper slip),
approve, return; and the settlement that publishes a completed task's approved hours once. Each
runs with the task's match row locked, as the answers to a proposal do."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from qn_contracts.matching import AssignmentCompleted
from qn_contracts.vocabulary import HoursSource
from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..matches import task_log
from ..matches.domain import MatchStatus, match_not_found
from ..matches.models import Match
from . import domain
from .domain import HoursStatus, ReturnReason
from .models import HoursEntry, Settlement

log = get_logger(__name__)

OPEN_FOR_HOURS = (MatchStatus.ACCEPTED.value, MatchStatus.COMPLETED.value)


def _locked_match(uow: UnitOfWork, match_id: uuid.UUID) -> Match:
    match = uow.session.get(Match, match_id, with_for_update={"of": Match}, populate_existing=True)
    if match is None:
        raise match_not_found(match_id)
    return match


def _entries(uow: UnitOfWork, match_id: uuid.UUID) -> list[HoursEntry]:
    statement = select(HoursEntry).where(HoursEntry.match_id == match_id).order_by(HoursEntry.logged_at, HoursEntry.id)
    return list(uow.session.scalars(statement))


def _plain(entries: list[HoursEntry]) -> list[domain.Entry]:
    return [domain.Entry(e.hours, HoursSource(e.source), HoursStatus(e.status)) for e in entries]


def add_entry(
    uow: UnitOfWork,
    match: Match,
    hours: Decimal,
    *,
    worked_on: date | None,
    source: HoursSource,
    principal: Principal,
    now: datetime,
) -> HoursEntry:
    """Adds an entry to a task locked by the caller (who has checked it is the caller's)."""
    settled = uow.session.get(Settlement, match.id) is not None
    if match.status not in OPEN_FOR_HOURS or settled:
        raise domain.not_open_for_hours(match.status, settled=settled)
    by_coordinator = access.sees_every_volunteer(principal)
    if source is HoursSource.PAPER and not by_coordinator:
        raise domain.paper_is_for_coordinators()
    domain.check_total(_plain(_entries(uow, match.id)), hours)
    entry = HoursEntry(
        id=uuid.uuid4(),
        match_id=match.id,
        hours=hours,
        worked_on=worked_on,
        source=source.value,
        status=domain.status_at_entry(entered_by_coordinator=by_coordinator).value,
        logged_by=principal.subject[:200],
        on_behalf=task_log.acts_for_volunteer(principal, match),
        logged_at=now,
    )
    if entry.status == HoursStatus.APPROVED:
        entry.decided_by, entry.decided_at = principal.subject[:200], now
    uow.session.add(entry)
    uow.session.flush()
    task_log.record(uow, match, task_log.Action.HOURS_LOGGED, principal=principal, now=now, hours_entry_id=entry.id)
    return entry


def log_hours(
    match_id: uuid.UUID,
    hours: Decimal,
    *,
    worked_on: date | None,
    source: HoursSource,
    uow: UnitOfWork,
    principal: Principal,
    now: datetime,
) -> uuid.UUID:
    """Logs hours on an accepted or completed (not yet settled) task; returns the entry's id."""
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        entry = add_entry(uow, match, hours, worked_on=worked_on, source=source, principal=principal, now=now)
        settle_if_done(uow, match, now=now)
        uow.commit()
    log.info("hours_logged", match_id=str(match_id), entry_id=str(entry.id), source=source.value)
    return entry.id


def approve(entry_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal, now: datetime) -> uuid.UUID:
    """A coordinator approves an entry; returns its task's id."""
    return _decide(entry_id, HoursStatus.APPROVED, None, None, uow=uow, principal=principal, now=now)


def return_entry(
    entry_id: uuid.UUID,
    reason: ReturnReason,
    note: str | None,
    *,
    uow: UnitOfWork,
    principal: Principal,
    now: datetime,
) -> uuid.UUID:
    """A coordinator sends an entry back with a reason; it counts for nothing. Returns its task's id."""
    return _decide(entry_id, HoursStatus.RETURNED, reason, note, uow=uow, principal=principal, now=now)


def _decide(
    entry_id: uuid.UUID,
    status: HoursStatus,
    reason: ReturnReason | None,
    note: str | None,
    *,
    uow: UnitOfWork,
    principal: Principal,
    now: datetime,
) -> uuid.UUID:
    with uow:
        found = uow.session.get(HoursEntry, entry_id)
        if found is None:
            raise domain.entry_not_found(entry_id)
        match = _locked_match(uow, found.match_id)
        entry = uow.session.get(HoursEntry, entry_id, populate_existing=True)
        assert entry is not None
        if entry.status != HoursStatus.SUBMITTED:
            raise domain.already_decided(entry.status)
        entry.status, entry.decided_by, entry.decided_at = status.value, principal.subject[:200], now
        entry.return_reason, entry.return_note = (reason.value if reason else None), note
        action = task_log.Action.HOURS_APPROVED if status is HoursStatus.APPROVED else task_log.Action.HOURS_RETURNED
        task_log.record(uow, match, action, principal=principal, now=now, volunteers_act=False, hours_entry_id=entry.id)
        settle_if_done(uow, match, now=now)
        uow.commit()
    log.info("hours_decided", entry_id=str(entry_id), status=status.value)
    return match.id


def settle_if_done(uow: UnitOfWork, match: Match, *, now: datetime) -> bool:
    """A completed task with no entry awaiting a decision is settled: `assignment.completed` goes
    out once, with the approved hours. Returns whether it was settled now."""
    if match.status != MatchStatus.COMPLETED.value or uow.session.get(Settlement, match.id) is not None:
        return False
    entries = _plain(_entries(uow, match.id))
    if domain.awaiting(entries):
        return False
    hours, source = domain.settlement(entries)
    uow.session.add(Settlement(match_id=match.id, hours=hours, source=source.value if source else None, settled_at=now))
    request = match.help_request
    uow.emit(
        AssignmentCompleted(
            match_id=match.id,
            help_request_id=match.help_request_id,
            volunteer_ref=match.volunteer.volunteer_ref,
            quarter_id=request.quarter_id,
            help_kind=request.help_kind,
            hours=hours,
            hours_source=source,
        )
    )
    log.info("assignment_completed", match_id=str(match.id), hours=str(hours))
    return True


def sheet(uow: UnitOfWork, match_id: uuid.UUID) -> tuple[list[HoursEntry], Settlement | None]:
    """A task's entries, oldest first, and its settlement if there is one."""
    return _entries(uow, match_id), uow.session.get(Settlement, match_id)


def queue(uow: UnitOfWork, status: HoursStatus) -> list[HoursEntry]:
    """Entries in `status`, oldest first: with `submitted`, the coordinator's approval queue."""
    statement = select(HoursEntry).where(HoursEntry.status == status.value).order_by(HoursEntry.logged_at)
    return list(uow.session.scalars(statement.limit(500)))


def forget_notes(uow: UnitOfWork, match_ids: list[uuid.UUID]) -> None:
    """Erasure: what coordinators wrote when returning hours on these tasks goes (it may speak of
    the person); the hours themselves are no personal data and stay for the settlement."""
    if match_ids:
        for entry in uow.session.scalars(select(HoursEntry).where(HoursEntry.match_id.in_(match_ids))):
            entry.return_note = None
