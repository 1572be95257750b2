"""Stopping work when intake says so: a person withdrew consent to neighbourly help, a person's data
was erased, or the concern behind a request was closed. Open proposals and accepted tasks are
called off, the request is cancelled, and an erased person's reference is forgotten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from qn_contracts import EventMeta
from qn_contracts.intake import ConcernClosed, ConsentWithdrawn, PersonErased
from qn_contracts.matching import HelpRequestCancelled, MatchCancelled
from qn_contracts.vocabulary import ConsentPurpose
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..hours import handlers as hours
from .domain import OPEN_MATCH_STATUSES, MatchStatus, RequestStatus
from .models import HelpRequest

log = get_logger(__name__)

FINAL_REQUEST = (RequestStatus.COMPLETED.value, RequestStatus.CANCELLED.value)
LIVE_MATCH = tuple(s.value for s in OPEN_MATCH_STATUSES)


def on_consent_withdrawn(event: ConsentWithdrawn, meta: EventMeta, uow: UnitOfWork, *, now: datetime) -> None:
    if event.purpose is not ConsentPurpose.NEIGHBOURLY_HELP:
        return
    _cancel(uow, HelpRequest.person_ref == event.person_ref, reason="consent_withdrawn", now=now)


def on_person_erased(event: PersonErased, meta: EventMeta, uow: UnitOfWork, *, now: datetime) -> None:
    _cancel(uow, HelpRequest.person_ref == event.person_ref, reason="person_erased", now=now)
    # forget the reference everywhere, also on finished requests, and what volunteers wrote
    # about declining to help this person
    for request in uow.session.scalars(select(HelpRequest).where(HelpRequest.person_ref == event.person_ref)):
        request.person_ref = None
        for match in request.matches:
            match.decline_note = None
        hours.forget_notes(uow, [match.id for match in request.matches])


def on_concern_closed(event: ConcernClosed, meta: EventMeta, uow: UnitOfWork, *, now: datetime) -> None:
    _cancel(uow, HelpRequest.concern_id == event.concern_id, reason="concern_closed", now=now, keep_accepted=True)


def _cancel(
    uow: UnitOfWork, which: object, *, reason: str, now: datetime, keep_accepted: bool = False
) -> list[HelpRequest]:
    """Cancels the open requests matching `which` with their live proposals. With `keep_accepted`, a
    request a volunteer already accepted goes on (the help was arranged before the concern closed)."""
    requests = list(
        uow.session.scalars(
            select(HelpRequest).where(which).where(HelpRequest.status.not_in(FINAL_REQUEST)).with_for_update()
        )
    )
    cancelled = []
    for request in requests:
        if keep_accepted and request.status == RequestStatus.MATCHED.value:
            continue
        for match in request.matches:
            if match.status in LIVE_MATCH:
                match.status, match.answered_at = MatchStatus.CANCELLED.value, now
                uow.emit(
                    MatchCancelled(
                        match_id=match.id,
                        help_request_id=request.id,
                        volunteer_ref=match.volunteer.volunteer_ref,
                        quarter_id=request.quarter_id,
                        help_kind=request.help_kind,
                        reason=reason,
                    )
                )
        request.status, request.updated_at = RequestStatus.CANCELLED.value, now
        uow.emit(
            HelpRequestCancelled(
                help_request_id=request.id, quarter_id=request.quarter_id, help_kind=request.help_kind, reason=reason
            )
        )
        log.info("help_request_cancelled", help_request_id=str(request.id), reason=reason)
        cancelled.append(request)
    return cancelled
