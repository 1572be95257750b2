"""A volunteer's personal calendar feed: a secret link, made, renewed and revoked by the volunteer
or a coordinator. Only a hash of the token is stored, so the link can be handed out once and never
read back; renewing makes the old link stop working."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.errors import NotFound
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..matches.domain import MatchStatus
from ..matches.models import Match
from ..volunteers import domain as volunteers
from ..volunteers.models import Volunteer
from .models import CalendarFeed

log = get_logger(__name__)

# what a feed shows: tasks taken on, and the ones done (so the past stays in the calendar)
SHOWN = (MatchStatus.ACCEPTED.value, MatchStatus.COMPLETED.value)
ENDED = (VolunteerStatus.INACTIVE.value, VolunteerStatus.DENIED.value)


class FeedNotFound(NotFound):
    code = "calendar_feed_not_found"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def renew_feed(volunteer_id: uuid.UUID, *, uow: UnitOfWork, by: str, now: datetime) -> str:
    """A new secret link for the volunteer (the old one, if any, stops working); returns the token."""
    token = secrets.token_urlsafe(32)
    with uow:
        if uow.session.get(Volunteer, volunteer_id) is None:
            raise volunteers.volunteer_not_found(volunteer_id)
        feed = uow.session.get(CalendarFeed, volunteer_id, with_for_update=True)
        if feed is None:
            feed = CalendarFeed(volunteer_id=volunteer_id)
            uow.session.add(feed)
        feed.token_hash, feed.created_by, feed.created_at = hash_token(token), by, now
        uow.commit()
    log.info("calendar_feed_renewed", volunteer_id=str(volunteer_id))
    return token


def revoke_feed(volunteer_id: uuid.UUID, *, uow: UnitOfWork) -> bool:
    """Ends the volunteer's link; False when there was none."""
    with uow:
        feed = uow.session.get(CalendarFeed, volunteer_id, with_for_update=True)
        if feed is None:
            return False
        uow.session.delete(feed)
        uow.commit()
    log.info("calendar_feed_revoked", volunteer_id=str(volunteer_id))
    return True


@dataclass(frozen=True)
class FeedTask:
    """What a calendar entry shows: kind, quarter, time -- no name, no address."""

    match_id: uuid.UUID
    help_kind: str
    quarter_id: str
    status: str
    starts_at: datetime | None
    ends_at: datetime | None
    wanted_by: date | None


def tasks_of_feed(token: str, *, uow: UnitOfWork) -> list[FeedTask]:
    """The tasks behind a link; 404 for a link that is unknown, renewed or revoked."""
    with uow:
        volunteer_id = uow.session.scalar(
            select(CalendarFeed.volunteer_id)
            .join(Volunteer, Volunteer.id == CalendarFeed.volunteer_id)
            # an engagement that ended (or never began) takes its link with it
            .where(CalendarFeed.token_hash == hash_token(token), Volunteer.status.not_in(ENDED))
        )
        if volunteer_id is None:
            raise FeedNotFound(
                "Diesen Kalender-Link gibt es nicht (mehr): er wurde vielleicht erneuert oder gesperrt.",
                "This calendar link does not exist (any more): it may have been renewed or revoked.",
                field="token",
            )
        matches = uow.session.scalars(
            select(Match).where(Match.volunteer_id == volunteer_id, Match.status.in_(SHOWN)).order_by(Match.proposed_at)
        )
        return [
            FeedTask(
                match_id=m.id,
                help_kind=m.help_request.help_kind,
                quarter_id=m.help_request.quarter_id,
                status=m.status,
                starts_at=m.appointment_starts_at,
                ends_at=m.appointment_ends_at,
                wanted_by=m.help_request.wanted_by,
            )
            for m in matches
        ]
