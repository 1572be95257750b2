"""Use cases for help requests and their proposals: one verb per function.

Every change to a request's proposals runs with the match row locked (SELECT ... FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so an answer and the expiry job cannot both act on one
proposal, and the unique (request, attempt) key stops two replicas proposing twice."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    or_,
    select,
    type_coerce,
)

from qn_contracts import EventMeta
from qn_contracts.ids import time_ordered_id
from qn_contracts.intake import HelpRequested
from qn_contracts.matching import (
    HelpRequestUnmatched,
    MatchAccepted,
    MatchCancelled,
    MatchCompleted,
    MatchDeclined,
    MatchExpired,
    MatchProposed,
)
from qn_contracts.vocabulary import HoursSource, VolunteerStatus
from qn_infra.auth import Principal
from qn_infra.clock import Clock
from qn_infra.consumers import Delivery, handling
from qn_infra.logs import get_logger
from qn_infra.pseudonyms import LoginPseudonyms
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..city import City, Reach
from ..hours import handlers as hours_handlers
from ..volunteers.domain import Slot, level_ranks
from ..volunteers.models import Absence, Volunteer
from . import domain, task_log
from .domain import DeclineReason, MatchStatus, RequestStatus, UnmatchedReason
from .models import HelpRequest, Match
from .reasons import reasons_for
from .shortlist import Shortlists

if TYPE_CHECKING:
    from .kept_pool import KeptPool

log = get_logger(__name__)


@dataclass(frozen=True)
class MatchingPolicy:
    offer_timeout: timedelta
    timezone: ZoneInfo
    city: City | None = None
    """The quarters' outlines, for reach; None: every volunteer helps in their own quarter only."""
    vetted_kinds: frozenset[str] = frozenset()
    """Help kinds only volunteers with a valid police-certificate check are proposed for."""
    max_reach_km: float = 0.0
    """The farthest reach a volunteer may give: who could reach a quarter lives at most this far."""
    offer_timeouts: Mapping[str, timedelta] = field(default_factory=dict)
    """How long a volunteer has to answer, by the request's urgency; `offer_timeout` otherwise."""
    max_attempts: int = 5
    """After this many volunteers declined or did not answer, the coordinator takes over."""
    levels_wanted: Mapping[str, int] = field(default_factory=dict)
    """The skill level (`SkillLevel.rank`) a kind of help asks for: who has it is asked first."""

    def offer_timeout_for(self, urgency: str) -> timedelta:
        return self.offer_timeouts.get(urgency, self.offer_timeout)

    def need(self, request: HelpRequest, now: datetime, *, helped_before: uuid.UUID | None = None) -> domain.Need:
        """What `request` needs of a volunteer at `now`; `helped_before`: who helped the person last."""
        return self.need_of(
            request.quarter_id,
            request.help_kind,
            request.skills,
            request.languages,
            request.weekly_slot,
            now,
            helped_before=helped_before,
        )

    def need_of(
        self,
        quarter_id: str,
        help_kind: str,
        skills: Iterable[str],
        languages: Iterable[str],
        weekly_slot: dict[str, str] | None,
        now: datetime,
        *,
        helped_before: uuid.UUID | None = None,
    ) -> domain.Need:
        """`need` of a request given by its columns (one not stored yet)."""
        today = now.astimezone(self.timezone).date()
        return domain.Need(
            quarter_id,
            help_kind,
            frozenset(skills),
            tuple(languages),
            vetting_needed_on=today if help_kind in self.vetted_kinds else None,
            helped_before=helped_before,
            level_wanted=self.levels_wanted.get(help_kind, 0),
            weekly_slot=Slot.from_dict(weekly_slot) if weekly_slot else None,
        )

    def homes(self, quarter_id: str) -> frozenset[str]:
        """The quarters volunteers who may reach `quarter_id` live in."""
        if self.city is None:
            return frozenset({quarter_id})
        return self.city.homes_within(quarter_id, self.max_reach_km)


def receive_help_requests(
    deliveries: Sequence[Delivery[HelpRequested]],
    uow: UnitOfWork,
    *,
    policy: MatchingPolicy,
    clock: Clock,
    kept: KeptPool | None = None,
) -> None:
    """Stores a batch of help requests from intake and asks the best volunteer for each, in
    delivery order, in the consumer's one transaction (the consumer commits). The proposals are
    those of one transaction per event: the candidates of a quarter are read once per batch
    (`CandidatePool`) and each proposal counts toward that volunteer's load for the requests after
    it; each request is received at its own time of handling, as one at a time.

    The new rows (requests and their first proposals) are built as plain column values and
    written at the end of the batch with one cached Core INSERT per table, not as ORM objects
    through the unit of work: nothing reads them back before, and building an ORM object cost
    more than ranking the request.

    `kept`: the consumer's pool from the batch before, used again while nothing it was read from
    has changed (`kept_pool`); without it, the candidates are read for this batch."""
    today = clock.now().astimezone(policy.timezone).date()
    pool = kept.for_batch(uow, today) if kept is not None else CandidatePool(uow, policy, today=today)
    ids = {delivery.event.help_request_id for delivery in deliveries}
    known = set(uow.session.connection().execute(_KNOWN_REQUESTS, {"ids": list(ids)}).scalars())
    helpers = last_helpers(uow, {d.event.person_ref for d in deliveries if d.event.person_ref is not None})
    new_rows = NewRows()
    for delivery in deliveries:
        handling(delivery.meta)
        receive_help_request(
            delivery.event,
            delivery.meta,
            uow,
            policy=policy,
            now=clock.now(),
            pool=pool,
            known=known,
            new_rows=new_rows,
            helped_before=helpers.get(delivery.event.person_ref) if delivery.event.person_ref else None,
        )
    new_rows.write(uow)
    if kept is not None:
        kept.keep(uow)


@dataclass
class NewRows:
    """Rows of a batch's new requests and proposals, as column values, to be written at its end."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)

    def write(self, uow: UnitOfWork) -> None:
        connection = uow.session.connection()  # Core on the session's connection: no ORM path
        if self.requests:  # the requests first: the proposals refer to them
            connection.execute(_INSERT_REQUEST, self.requests)
        if self.matches:
            connection.execute(_INSERT_MATCH, self.matches)


_INSERT_REQUEST = insert(HelpRequest)
_INSERT_MATCH = insert(Match)


_KNOWN_REQUESTS = select(HelpRequest.id).where(HelpRequest.id.in_(bindparam("ids", expanding=True)))

# who took on (or completed) a task for each person, newest first: the pseudonymous person_ref
# intake sends is all matching knows of the person
_HELPERS = (
    select(HelpRequest.person_ref, Match.volunteer_id)
    .join(Match, Match.help_request_id == HelpRequest.id)
    .where(
        HelpRequest.person_ref.in_(bindparam("refs", expanding=True)),
        Match.status.in_([MatchStatus.ACCEPTED.value, MatchStatus.COMPLETED.value]),
    )
    .order_by(func.coalesce(Match.answered_at, Match.proposed_at).desc(), Match.id)
)


def last_helpers(uow: UnitOfWork, person_refs: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """person_ref -> the volunteer who took on the latest task for that person (continuity)."""
    refs = list(person_refs)
    if not refs:
        return {}
    found: dict[uuid.UUID, uuid.UUID] = {}
    for person_ref, volunteer_id in uow.session.connection().execute(_HELPERS, {"refs": refs}):
        found.setdefault(person_ref, volunteer_id)
    return found


def helped_before(uow: UnitOfWork, request: HelpRequest) -> uuid.UUID | None:
    """Who helped the person of `request` last, on another request (continuity)."""
    if request.person_ref is None:
        return None
    return last_helpers(uow, [request.person_ref]).get(request.person_ref)


def receive_help_request(
    event: HelpRequested,
    meta: EventMeta,
    uow: UnitOfWork,
    *,
    policy: MatchingPolicy,
    now: datetime,
    pool: CandidatePool,
    known: set[uuid.UUID],
    new_rows: NewRows,
    helped_before: uuid.UUID | None = None,
) -> None:
    """Takes one help request and asks the best volunteer; adds the new rows to `new_rows` for
    the caller to write. `known` holds the ids of the requests stored already (this one is added)."""
    if event.help_request_id in known:
        # a second event for a known request (e.g. re-published under a new id): no second proposal
        log.info("help_request_already_known", help_request_id=str(event.help_request_id), event_id=str(meta.id))
        return
    known.add(event.help_request_id)
    request: dict[str, Any] = {
        "id": event.help_request_id,
        "concern_id": event.concern_id,
        "person_ref": event.person_ref,
        "quarter_id": event.quarter_id,
        "help_kind": event.help_kind,
        "skills": sorted(set(event.skills)),
        "languages": list(dict.fromkeys(event.languages)),
        "urgency": str(event.urgency),
        "wanted_by": event.wanted_by,
        "weekly_slot": _weekly_slot(event),
        "status": RequestStatus.PROPOSED.value,
        "unmatched_reason": None,
        "requested_event_id": str(meta.id),
        "received_at": now,
        "updated_at": now,
    }
    new_rows.requests.append(request)
    if not domain.may_propose_for(event.age_band.value if event.age_band else None, event.asked_by):
        _unmatched_row(request, UnmatchedReason.MINOR_WITHOUT_YOUTH_OFFICE, uow=uow)
        return
    # as `propose_next` for a request nobody has been asked for yet
    need = policy.need_of(
        event.quarter_id,
        event.help_kind,
        request["skills"],
        request["languages"],
        request["weekly_slot"],
        now,
        helped_before=helped_before,
    )
    best = pool.choose_next(event.quarter_id, need, now, asked=())
    if best is None:
        _unmatched_row(request, UnmatchedReason.NO_CANDIDATES, uow=uow)
        return
    new_rows.matches.append(
        _proposal(
            event.help_request_id,
            event.quarter_id,
            event.help_kind,
            request["urgency"],
            best,
            need,
            attempt=1,
            pool=pool,
            uow=uow,
            policy=policy,
            now=now,
        )
    )


def _weekly_slot(event: HelpRequested) -> dict[str, str] | None:
    slot = event.weekly_slot
    if slot is None:
        return None
    return Slot(
        slot.weekday, slot.starts.replace(second=0, microsecond=0), slot.ends.replace(second=0, microsecond=0)
    ).as_dict()


_ACTIVE = VolunteerStatus.ACTIVE.value

# away today (a pause with a date range): not asked
_ABSENT = exists().where(
    and_(
        Absence.volunteer_id == Volunteer.id,
        Absence.starts_on <= bindparam("today"),
        Absence.ends_on >= bindparam("today"),
    )
)
_HOMES = bindparam("homes", expanding=True)

# a volunteer's load: their proposals awaiting an answer and accepted tasks not yet completed
_OPEN_MATCHES = (
    select(func.count())
    # two comparisons, not IN (...): a literal IN list is rendered anew on every execution
    .where(Match.volunteer_id == Volunteer.id, or_(*(Match.status == s.value for s in domain.OPEN_MATCH_STATUSES)))
    .correlate(Volunteer)
    .scalar_subquery()
)

# `vetting.vetted_until`: the day a check without a relevant entry stops counting (NULL: no such check)
_VETTED_UNTIL = case((Volunteer.vetting_no_relevant_entry.is_(True), Volunteer.vetting_recheck_on))

# built once, not per request: the quarters and the day are parameters; one statement reads the
# candidates with their load. The ids, JSON columns and times are read as the database hands them
# over and parsed here, the ids and JSON through caches (`_uuid`, `_strings`, `_slots`): the same
# volunteers are read again for every batch, and they share most skill, language and availability
# values
_CANDIDATE_COLUMNS = (
    cast(Volunteer.id, Text).label("id"),
    cast(Volunteer.volunteer_ref, Text).label("volunteer_ref"),
    Volunteer.quarter_id,
    cast(Volunteer.skills, Text).label("skills"),
    cast(Volunteer.skill_levels, Text).label("skill_levels"),
    cast(Volunteer.languages, Text).label("languages"),
    cast(Volunteer.availability, Text).label("availability"),
    # as stored (SQLite's text, PostgreSQL's datetime): the column type's processing of every
    # row cost more than `_moment`
    type_coerce(Volunteer.registered_at, String).label("registered_at"),
    Volunteer.reach,
    Volunteer.reach_km,
    Volunteer.max_open_tasks,
    type_coerce(_VETTED_UNTIL, String).label("vetted_until"),
    _OPEN_MATCHES.label("open_matches"),
)
_VOLUNTEERS_OF_QUARTER = select(*_CANDIDATE_COLUMNS).where(
    Volunteer.quarter_id.in_(_HOMES), Volunteer.status == _ACTIVE, ~_ABSENT
)


# the first request a pool sees for a quarter reads only who offers its kind of help (and, for a
# kind that needs it, has a valid police-certificate check): a superset of whom any request of
# that kind can ask, and most of a request's cost is reading and building candidates
# (the cheap tests first: SQLite tests the terms in the order written, the absence last)
_KIND = cast(Volunteer.skills, Text).like(bindparam("kind_like"), escape="\\")
_VETTED = and_(Volunteer.vetting_no_relevant_entry.is_(True), Volunteer.vetting_recheck_on > bindparam("today"))


# who gave no time can never be asked: not read at all. Who is at their cap already cannot be
# asked through this pool either (a pool's proposals only add load), but is left out as the rows
# are read (`CandidatePool._load`): in the WHERE clause, the load would be counted twice per row
_HAS_TIME = cast(Volunteer.availability, Text) != "[]"


def _of_kind(home: ColumnElement[bool], *vetted: ColumnElement[bool]) -> Select[Any]:
    return select(*_CANDIDATE_COLUMNS).where(home, Volunteer.status == _ACTIVE, _KIND, *vetted, _HAS_TIME, ~_ABSENT)


# (quarters of homes > 1, vetted kind) -> statement; one home, the usual case, is compared as one
# value: an expanding IN list costs a rendering on every execution
_OF_KIND = {
    (many, vetted): _of_kind(
        Volunteer.quarter_id.in_(_HOMES) if many else Volunteer.quarter_id == bindparam("home"),
        *((_VETTED,) if vetted else ()),
    )
    for many in (False, True)
    for vetted in (False, True)
}


def _kind_like(kind: str) -> str:
    """A LIKE pattern for the JSON text of a skill list holding `kind` (its quotes delimit it)."""
    escaped = kind.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'


@lru_cache(maxsize=4096)
def _slot(weekday: str, starts: str, ends: str) -> Slot:
    # volunteers share few distinct weekly windows: each is parsed once, not once per volunteer
    return Slot.from_dict({"weekday": weekday, "starts": starts, "ends": ends})


@lru_cache(maxsize=262144)  # a city of 100,000 volunteers: every id read stays parsed
def _uuid(raw: str) -> uuid.UUID:
    """An id column as read as text (32 hex digits on SQLite, the usual form on PostgreSQL)."""
    return uuid.UUID(raw)


@lru_cache(maxsize=16384)
def _strings(raw: str) -> frozenset[str]:
    """A JSON list of codes (skills, languages), as read."""
    return frozenset(json.loads(raw))


@lru_cache(maxsize=4096)
def _levels(raw: str | None) -> Mapping[str, int] | None:
    """A JSON object {skill: level} as {skill: rank}, as read (NULL: no level given)."""
    if raw is None or raw == "null":
        return None
    return level_ranks(json.loads(raw)) or None


def _moment(raw: str | datetime) -> datetime:
    """A timestamp column as read: SQLite's UTC text (as `UtcDateTime` writes and reads it),
    PostgreSQL's datetime (as the driver hands it over). Not cached: parsing costs less than a
    look-up in a cache the size of the city's volunteers."""
    if isinstance(raw, str):
        try:
            # read with the offset it leaves out: `replace(tzinfo=UTC)` costs five times the parse
            return datetime.fromisoformat(raw + "+00:00")
        except ValueError:  # text with an offset of its own
            return datetime.fromisoformat(raw)
    return raw


@lru_cache(maxsize=4096)
def _day(raw: str | date | None) -> date | None:
    """A date column as read: SQLite's ISO text, PostgreSQL's date; NULL stays None."""
    return date.fromisoformat(raw) if isinstance(raw, str) else raw


@lru_cache(maxsize=131072)
def _slots(raw: str) -> tuple[Slot, ...]:
    """A JSON list of weekly slots (a volunteer's availability), as read."""
    return tuple(_slot(slot["weekday"], slot["starts"], slot["ends"]) for slot in json.loads(raw))


@dataclass
class _Quarter:
    candidates: Shortlists
    refs: dict[uuid.UUID, str]
    """volunteer id -> volunteer_ref (as read), the id events carry."""


class CandidatePool:
    """The active volunteers of each quarter asked about, except those away `today`, read once
    per unit of work (one query), with each volunteer's load kept current as proposals are made through it
    (`domain.proposed`): the candidates a request sees are those a query would return after the
    proposals before it. Holds for one batch of help requests, which change nothing else about
    volunteers -- and, kept by the consumer (`kept_pool`), for the batches after it while nobody
    else changes anything it was read from; a use case that also answers or expires proposals
    reads anew (`propose_next` without a pool). The best candidate for a request is
    `domain.choose_next`'s, found without ranking every volunteer for every request (`Shortlists`)."""

    def __init__(self, uow: UnitOfWork, policy: MatchingPolicy, *, today: date) -> None:
        self._session = uow.session
        self._policy = policy
        self._timezone = policy.timezone
        self._today = today
        self._quarters: dict[str, _Quarter] = {}
        self._of_kind: dict[tuple[str, str], _Quarter] = {}
        """(quarter, help kind) -> who offers that kind: a quarter's first read (see `_OF_KIND`)."""
        self._asked: dict[uuid.UUID, int] = {}
        """Proposals made through this pool, not yet written: counted into the load of a later read."""

    def continue_in(self, uow: UnitOfWork) -> None:
        """Goes on in the next batch's unit of work, after this pool's proposals were committed:
        the load it holds counts them, and so does whatever it reads from now on."""
        self._session = uow.session
        self._asked.clear()

    def candidates(self, quarter_id: str) -> Iterable[domain.Candidate]:
        return self._quarter(quarter_id).candidates.candidates()

    def choose_next(
        self, quarter_id: str, need: domain.Need, now: datetime, *, asked: Sequence[uuid.UUID] = ()
    ) -> domain.Ranked | None:
        """`domain.choose_next` among the candidates of `quarter_id`, in the pool's time zone."""
        return self._view(quarter_id, need.help_kind).candidates.choose_next(need, now, asked=asked)

    def volunteer_ref(self, quarter_id: str, volunteer_id: uuid.UUID) -> uuid.UUID:
        full = self._quarters.get(quarter_id)
        views = [full] if full is not None else [v for (q, _), v in self._of_kind.items() if q == quarter_id]
        for view in views:
            if volunteer_id in view.refs:
                return _uuid(view.refs[volunteer_id])
        return _uuid(self._quarter(quarter_id).refs[volunteer_id])

    def proposed(self, quarter_id: str, volunteer_id: uuid.UUID) -> None:
        """`volunteer_id` was asked: one more open match for the requests after this one, in every
        quarter they reach (each quarter read keeps its own view of them, and a quarter read later
        counts it in)."""
        self._asked[volunteer_id] = self._asked.get(volunteer_id, 0) + 1
        for quarter in (*self._quarters.values(), *self._of_kind.values()):
            if volunteer_id in quarter.refs:
                quarter.candidates.proposed(volunteer_id)

    def _view(self, quarter_id: str, kind: str) -> _Quarter:
        """Who offers `kind` in reach of `quarter_id`: the quarter's first read is of that kind only;
        from a second kind on, the whole quarter is read once."""
        found = self._quarters.get(quarter_id) or self._of_kind.get((quarter_id, kind))
        if found is not None:
            return found
        if any(quarter == quarter_id for quarter, _ in self._of_kind):
            return self._quarter(quarter_id)
        found = self._of_kind[(quarter_id, kind)] = self._load(quarter_id, kind)
        return found

    def _quarter(self, quarter_id: str) -> _Quarter:
        found = self._quarters.get(quarter_id)
        if found is None:
            found = self._quarters[quarter_id] = self._load(quarter_id)
        return found

    def _load(self, quarter_id: str, kind: str | None = None) -> _Quarter:
        # Core on the session's connection: plain rows, no ORM loading
        connection = self._session.connection()
        parameters: dict[str, object] = {"homes": sorted(self._policy.homes(quarter_id)), "today": self._today}
        statement = _VOLUNTEERS_OF_QUARTER
        if kind is not None:
            homes = parameters["homes"]
            many = len(homes) > 1  # type: ignore[arg-type]
            if not many:
                parameters = {"home": homes[0], "today": self._today}  # type: ignore[index]
            parameters["kind_like"] = _kind_like(kind)
            statement = _OF_KIND[(many, kind in self._policy.vetted_kinds)]
        asked = self._asked
        city = self._policy.city
        candidates: list[domain.Candidate] = []
        refs: dict[uuid.UUID, str] = {}
        own = Reach.OWN_QUARTER
        # looked up once, not per volunteer: an enum member costs a class attribute look-up each time
        active, make = VolunteerStatus.ACTIVE, domain.Candidate
        # rows unpacked by position: a named attribute of a Row costs more, per column and volunteer
        for (
            raw_id,
            volunteer_ref,
            home,
            skills,
            skill_levels,
            languages,
            availability,
            registered_at,
            reach,
            reach_km,
            max_open,
            vetted_until,
            open_matches,
        ) in connection.execute(statement, parameters).all():
            if max_open is not None and open_matches >= max_open and kind is not None:
                continue  # at their cap: no request of this pool can ask them (`_of_kind`)
            reaches = city.reaches(home, reach, reach_km) if city is not None and reach != own else None
            if home != quarter_id and (reaches is None or quarter_id not in reaches):
                continue  # lives near enough for someone, but does not go this far
            volunteer_id = _uuid(raw_id)
            if asked:
                open_matches += asked.get(volunteer_id, 0)
            candidates.append(
                make(
                    volunteer_id,
                    active,
                    home,
                    _strings(skills),
                    _strings(languages),
                    _slots(availability),
                    open_matches,
                    _moment(registered_at),
                    reaches,
                    None if vetted_until is None else _day(vetted_until),
                    max_open,
                    _levels(skill_levels),
                )
            )
            refs[volunteer_id] = volunteer_ref
        return _Quarter(Shortlists(candidates, self._timezone), refs)


def _unmatched(request: HelpRequest, reason: UnmatchedReason, *, uow: UnitOfWork) -> None:
    """Nobody is asked: the request goes back to intake's team (and to the coordinator here)."""
    request.status = RequestStatus.UNMATCHED.value
    request.unmatched_reason = reason.value
    _say_unmatched(request.id, request.quarter_id, request.help_kind, reason, uow=uow)


def _unmatched_row(request: dict[str, Any], reason: UnmatchedReason, *, uow: UnitOfWork) -> None:
    """`_unmatched` for a request's row not written yet."""
    request["status"] = RequestStatus.UNMATCHED.value
    request["unmatched_reason"] = reason.value
    _say_unmatched(request["id"], request["quarter_id"], request["help_kind"], reason, uow=uow)


def _say_unmatched(
    help_request_id: uuid.UUID, quarter_id: str, help_kind: str, reason: UnmatchedReason, *, uow: UnitOfWork
) -> None:
    uow.emit(
        HelpRequestUnmatched(
            help_request_id=help_request_id, quarter_id=quarter_id, help_kind=help_kind, reason=reason.value
        )
    )
    log.info("help_request_unmatched", help_request_id=str(help_request_id), reason=reason.value)


def propose_next(
    request: HelpRequest,
    *,
    uow: UnitOfWork,
    policy: MatchingPolicy,
    now: datetime,
    reason_if_nobody: UnmatchedReason,
) -> Match | None:
    """Asks the best volunteer not asked before, or hands the request to the coordinator."""
    request.updated_at = now
    if len(request.matches) >= policy.max_attempts:
        _unmatched(request, reason_if_nobody, uow=uow)
        return None
    pool = CandidatePool(uow, policy, today=now.astimezone(policy.timezone).date())
    need = policy.need(request, now, helped_before=helped_before(uow, request))
    best = pool.choose_next(request.quarter_id, need, now, asked=[m.volunteer_id for m in request.matches])
    if best is None:
        _unmatched(request, reason_if_nobody, uow=uow)
        return None
    attempt = max((m.attempt for m in request.matches), default=0) + 1
    match = _ask(request, best, need, attempt=attempt, pool=pool, uow=uow, policy=policy, now=now)
    request.matches.append(match)
    return match


def _ask(
    request: HelpRequest,
    best: domain.Ranked,
    need: domain.Need,
    *,
    attempt: int,
    pool: CandidatePool,
    uow: UnitOfWork,
    policy: MatchingPolicy,
    now: datetime,
) -> Match:
    """Proposes the request to the volunteer `best` names: the match, the event, the load."""
    match = Match(
        **_proposal(
            request.id,
            request.quarter_id,
            request.help_kind,
            request.urgency,
            best,
            need,
            attempt=attempt,
            pool=pool,
            uow=uow,
            policy=policy,
            now=now,
        )
    )
    request.status = RequestStatus.PROPOSED.value
    request.unmatched_reason = None
    return match


def _proposal(
    help_request_id: uuid.UUID,
    quarter_id: str,
    help_kind: str,
    urgency: str,
    best: domain.Ranked,
    need: domain.Need,
    *,
    attempt: int,
    pool: CandidatePool,
    uow: UnitOfWork,
    policy: MatchingPolicy,
    now: datetime,
) -> dict[str, Any]:
    """`_ask` as the match's column values: the event and the load, the row not written yet."""
    volunteer_id = best.candidate.volunteer_id
    match_id = time_ordered_id(now)
    expires_at = now + policy.offer_timeout_for(urgency)
    pool.proposed(quarter_id, volunteer_id)
    uow.emit(
        MatchProposed(
            match_id=match_id,
            help_request_id=help_request_id,
            volunteer_ref=pool.volunteer_ref(quarter_id, volunteer_id),
            quarter_id=quarter_id,
            help_kind=help_kind,
            score=best.score,
            attempt=attempt,
            expires_at=expires_at,
        )
    )
    log.info("match_proposed", match_id=str(match_id), help_request_id=str(help_request_id), attempt=attempt)
    return {
        "id": match_id,
        "help_request_id": help_request_id,
        "volunteer_id": volunteer_id,
        "attempt": attempt,
        "score": best.score,
        "status": MatchStatus.PROPOSED.value,
        "via": domain.MatchVia.RANKING.value,
        "proposed_at": now,
        "expires_at": expires_at,
        "reasons": reasons_for(best, need, now, policy.timezone),
    }


def locked_request(uow: UnitOfWork, help_request_id: uuid.UUID) -> HelpRequest:
    """The request, locked: every change to a request's proposals takes this lock first, so two
    volunteers claiming one request offered to several are served one after the other."""
    request = uow.session.get(HelpRequest, help_request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise domain.help_request_not_found(help_request_id)
    return request


_REQUEST_OF = select(Match.help_request_id).where(Match.id == bindparam("match_id"))


def _locked_match(uow: UnitOfWork, match_id: uuid.UUID) -> Match:
    # the request first, then the match: one order of locks for every use case (`stops` too)
    help_request_id = uow.session.execute(_REQUEST_OF, {"match_id": match_id}).scalar()
    if help_request_id is None:
        raise domain.match_not_found(match_id)
    locked_request(uow, help_request_id)
    # OF matches: the volunteer row joined in is only read; locking it too could deadlock with a
    # concurrent proposal whose foreign key to that volunteer takes a share lock
    match = uow.session.get(Match, match_id, with_for_update={"of": Match}, populate_existing=True)
    if match is None:
        raise domain.match_not_found(match_id)
    return match


def emit_accepted(
    uow: UnitOfWork,
    match: Match,
    *,
    principal: Principal,
    pseudonyms: LoginPseudonyms | None,
    on_behalf: bool,
    now: datetime,
) -> None:
    """`match.accepted`, naming the volunteer's login and a proxy's as pseudonyms (decision 0013),
    with the minutes since the request came in (reporting's time to match)."""
    account = match.volunteer.account
    uow.emit(
        MatchAccepted(
            **match_fields(match),
            volunteer_login=pseudonyms.of(account) if pseudonyms and account else None,
            proxy_login=pseudonyms.of(principal.subject) if pseudonyms and on_behalf else None,
            minutes_to_match=domain.minutes_to_match(match.help_request.received_at, now),
        )
    )


def withdraw_open(
    uow: UnitOfWork,
    request: HelpRequest,
    *,
    reason: str,
    principal: Principal,
    now: datetime,
    keep: Match | None = None,
) -> None:
    """Every proposal of `request` still awaiting an answer (but `keep`) is withdrawn at once:
    another claimed the request first, or a coordinator's choice replaced them."""
    for match in request.matches:
        if match is not keep and match.status == MatchStatus.PROPOSED.value:
            match.status, match.answered_at = MatchStatus.WITHDRAWN.value, now
            task_log.record(uow, match, task_log.Action.WITHDRAWN, principal=principal, now=now, volunteers_act=False)
            uow.emit(MatchCancelled(**match_fields(match), reason=reason))
            log.info("match_withdrawn", match_id=str(match.id), reason=reason)


def _after_no(uow: UnitOfWork, match: Match, *, policy: MatchingPolicy, now: datetime, reason: UnmatchedReason) -> None:
    """A proposal was declined or not answered: the next volunteer is asked -- unless it was one
    of an offer to several, whose other offers may still be claimed; when the last of them is
    gone, the request goes back to the coordinator who made the offer."""
    request = match.help_request
    if match.via != domain.MatchVia.OFFERED.value:
        propose_next(request, uow=uow, policy=policy, now=now, reason_if_nobody=reason)
        return
    request.updated_at = now
    if not any(m.status == MatchStatus.PROPOSED.value for m in request.matches):
        _unmatched(request, reason, uow=uow)


def accept_match(
    match_id: uuid.UUID,
    *,
    uow: UnitOfWork,
    principal: Principal,
    now: datetime,
    pseudonyms: LoginPseudonyms | None = None,
) -> None:
    """The volunteer takes on the task (or a coordinator for them). The event names their login,
    and a proxy's, as pseudonyms (decision 0013): intake then lets exactly them read the address."""
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        # an offer to several that another claimed first is `withdrawn` by now: 409
        domain.check_open(MatchStatus(match.status), MatchStatus.PROPOSED)
        match.status = MatchStatus.ACCEPTED.value
        match.answered_at, match.answered_by = now, principal.subject
        request = match.help_request
        request.status, request.updated_at = RequestStatus.MATCHED.value, now
        on_behalf = task_log.record(uow, match, task_log.Action.ACCEPTED, principal=principal, now=now)
        emit_accepted(uow, match, principal=principal, pseudonyms=pseudonyms, on_behalf=on_behalf, now=now)
        withdraw_open(uow, request, reason="claimed_by_another", principal=principal, now=now, keep=match)
        uow.commit()
    log.info("match_accepted", match_id=str(match_id), help_request_id=str(match.help_request_id))


def decline_match(
    match_id: uuid.UUID,
    reason: DeclineReason | None,
    *,
    note: str | None = None,
    uow: UnitOfWork,
    principal: Principal,
    policy: MatchingPolicy,
    now: datetime,
) -> None:
    """The volunteer cannot help; the next-best volunteer is asked in the same transaction."""
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        domain.check_open(MatchStatus(match.status), MatchStatus.PROPOSED)
        match.status = MatchStatus.DECLINED.value
        match.answered_at, match.answered_by = now, principal.subject
        match.decline_reason, match.decline_note = (reason.value if reason else None), note
        task_log.record(uow, match, task_log.Action.DECLINED, principal=principal, now=now)
        uow.emit(MatchDeclined(**match_fields(match), reason=match.decline_reason))
        _after_no(uow, match, policy=policy, now=now, reason=UnmatchedReason.ALL_DECLINED)
        uow.commit()
    log.info("match_declined", match_id=str(match_id), reason=match.decline_reason)


def complete_match(
    match_id: uuid.UUID,
    hours: Decimal | None,
    *,
    uow: UnitOfWork,
    principal: Principal,
    now: datetime,
    worked_on: date | None = None,
    source: HoursSource = HoursSource.APP,
) -> None:
    """The volunteer has helped (or a coordinator says so for them): the last hours, if given,
    are logged and their load goes down. `match.completed` says so at once; `assignment.completed`
    goes out with the approved hours once no entry awaits a coordinator's decision (decision 0013)
    -- at once, if none does."""
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        domain.check_open(MatchStatus(match.status), MatchStatus.ACCEPTED)
        if hours is not None:
            hours_handlers.add_entry(
                uow, match, hours, worked_on=worked_on, source=source, principal=principal, now=now
            )
        match.status, match.completed_at, match.hours = MatchStatus.COMPLETED.value, now, hours
        task_log.record(uow, match, task_log.Action.COMPLETED, principal=principal, now=now)
        # said at once, not only when the hours are settled: intake ends the address access on it
        uow.emit(MatchCompleted(**match_fields(match)))
        request = match.help_request
        request.status, request.updated_at = RequestStatus.COMPLETED.value, now
        hours_handlers.settle_if_done(uow, match, now=now)
        uow.commit()
    log.info("match_completed", match_id=str(match_id))


def expire_proposals(*, now: datetime, uow: UnitOfWork, policy: MatchingPolicy, limit: int = 200) -> int:
    """Expires proposals not answered by their deadline and asks the next volunteer; returns how
    many expired. Runs periodically; tests call it with a `now` of their choosing."""
    overdue = (
        select(Match.id)
        .where(Match.status == MatchStatus.PROPOSED.value, Match.expires_at <= now)
        .order_by(Match.expires_at)
        .limit(limit)
    )
    expired = 0
    with uow:
        for match_id in list(uow.session.scalars(overdue)):
            match = _locked_match(uow, match_id)
            if match.status != MatchStatus.PROPOSED.value:
                continue  # answered meanwhile
            match.status = MatchStatus.EXPIRED.value
            uow.emit(MatchExpired(**match_fields(match)))
            log.info("match_expired", match_id=str(match.id), help_request_id=str(match.help_request_id))
            _after_no(uow, match, policy=policy, now=now, reason=UnmatchedReason.ALL_EXPIRED)
            expired += 1
        uow.commit()
    return expired


def match_fields(match: Match) -> dict[str, object]:
    return {
        "match_id": match.id,
        "help_request_id": match.help_request_id,
        "volunteer_ref": match.volunteer.volunteer_ref,
        "quarter_id": match.help_request.quarter_id,
        "help_kind": match.help_request.help_kind,
    }
