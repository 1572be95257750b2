"""Who is asked first: eligibility (hard constraints) and ranking (soft ones), plus the states a
proposal goes through. No framework, no database: plain data in, decisions out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from uuid import UUID
from zoneinfo import ZoneInfo

from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.errors import Conflict, Forbidden, NotFound

from ..volunteers.domain import WEEKDAYS, Slot
from ..volunteers.vetting import is_vetted


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    """Called off by intake: consent withdrawn, person erased, concern closed."""
    WITHDRAWN = "withdrawn"
    """An offer to several volunteers that another claimed first, or one a coordinator's
    assignment by hand replaced."""


class MatchVia(StrEnum):
    """How a proposal came about."""

    RANKING = "ranking"
    """Matching asked the best volunteer (one at a time)."""
    OFFERED = "offered"
    """A coordinator offered the request to several volunteers at once: the first to claim gets it."""
    ASSIGNED = "assigned"
    """A coordinator assigned the volunteer by hand (they agreed, e.g. on the phone)."""


OPEN_MATCH_STATUSES = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED)
"""A volunteer's current load: proposals awaiting an answer and accepted, not yet completed tasks."""


class RequestStatus(StrEnum):
    PROPOSED = "proposed"
    """A volunteer has been asked and has not answered yet."""
    MATCHED = "matched"
    UNMATCHED = "unmatched"
    """No volunteer could be found; the coordinator takes over."""
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    """Intake stopped it: consent withdrawn, person erased or concern closed."""


class DeclineReason(StrEnum):
    """Why a volunteer cannot take a proposal; anything else is `other`, with a note."""

    NO_TIME = "no_time"
    ILLNESS = "illness"
    AWAY = "away"
    TOO_FAR = "too_far"
    NOT_SUITABLE = "not_suitable"
    KNOWS_THE_PERSON = "knows_the_person"
    """Neighbours who know each other: the volunteer would rather not (or should not) help."""
    OTHER = "other"


class UnmatchedReason(StrEnum):
    NO_CANDIDATES = "no_candidates"
    ALL_DECLINED = "all_declined"
    ALL_EXPIRED = "all_expired"
    MINOR_WITHOUT_YOUTH_OFFICE = "minor_without_youth_office"


def may_propose_for(age_band: str | None, asked_by: str | None) -> bool:
    """No volunteer is proposed for a minor unless the youth office asked for the help (intake
    never sends such a request; this holds even if a producer did)."""
    return age_band != "under_18" or asked_by == "youth_office"


@dataclass(frozen=True)
class Need:
    """What a help request needs: the help kind counts as a skill the volunteer must have; a kind
    the city names as needing vetting asks for a police-certificate check valid on
    `vetting_needed_on`."""

    quarter_id: str
    help_kind: str
    skills: frozenset[str]
    languages: tuple[str, ...] = ()
    vetting_needed_on: date | None = None
    helped_before: UUID | None = None
    """The volunteer who helped this person last (continuity: asked first if they can be)."""
    level_wanted: int = 0
    """The skill level (`SkillLevel`) the kind of help asks for; 0: any."""
    weekly_slot: Slot | None = None
    """Recurring help: the weekly slot the volunteer's availability must cover."""

    @cached_property  # asked once per candidate when ranking: computed once per need
    def required_skills(self) -> frozenset[str]:
        return self.skills | {self.help_kind}

    @cached_property
    def languages_wanted(self) -> frozenset[str]:
        return frozenset(self.languages)


# slots and no `frozen`: a pool builds one per volunteer read, and a frozen dataclass sets each
# field through object.__setattr__ (several times slower at 100,000 volunteers); nothing changes a
# candidate after it is built -- `proposed` makes a new one
@dataclass(slots=True)
class Candidate:
    volunteer_id: UUID
    status: VolunteerStatus
    quarter_id: str
    skills: frozenset[str]
    languages: frozenset[str]
    slots: tuple[Slot, ...]
    open_matches: int
    registered_at: datetime
    reaches: frozenset[str] | None = None
    """The quarters the volunteer helps in (`City.reaches`); None: their own only."""
    vetted_until: date | None = None
    """Their police-certificate check counts before this day; None: no clear check."""
    max_open: int | None = None
    """At most this many open proposals and tasks at once; None: no cap."""
    levels: Mapping[str, int] | None = None
    """Their level (`SkillLevel`) per skill, where they gave one."""


def proposed(candidate: Candidate) -> Candidate:
    """The candidate as the next request sees them once asked: a proposal is an open match, so
    their load (`open_matches`) is one higher until it is answered."""
    # the constructor, not dataclasses.replace: called once per proposal in a batch
    return Candidate(
        volunteer_id=candidate.volunteer_id,
        status=candidate.status,
        quarter_id=candidate.quarter_id,
        skills=candidate.skills,
        languages=candidate.languages,
        slots=candidate.slots,
        open_matches=candidate.open_matches + 1,
        registered_at=candidate.registered_at,
        reaches=candidate.reaches,
        vetted_until=candidate.vetted_until,
        max_open=candidate.max_open,
        levels=candidate.levels,
    )


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    shared_languages: int
    next_available: datetime
    score: float
    helped_before: bool = False
    """The volunteer helped this person last time (continuity)."""
    skilled: bool = False
    """The volunteer has the level the kind of help asks for (`Need.level_wanted`)."""


def at_capacity(candidate: Candidate) -> bool:
    """Whether the volunteer has as many open proposals and tasks as they want at once."""
    return candidate.max_open is not None and candidate.open_matches >= candidate.max_open


_ACTIVE = VolunteerStatus.ACTIVE  # asked of every candidate: a module global, not an enum look-up


def ineligibility(candidate: Candidate, need: Need) -> str | None:
    """Why a volunteer cannot be asked (a code), or None if they can."""
    if candidate.status is not _ACTIVE:
        return "not_active"
    if candidate.quarter_id != need.quarter_id and (
        candidate.reaches is None or need.quarter_id not in candidate.reaches
    ):
        return "out_of_reach"
    if not need.required_skills <= candidate.skills:
        return "missing_skill"
    if need.vetting_needed_on is not None and not is_vetted(candidate.vetted_until, need.vetting_needed_on):
        return "not_vetted"
    if at_capacity(candidate):
        return "at_capacity"
    if not candidate.slots:
        return "no_availability"
    if need.weekly_slot is not None and not covers(candidate.slots, need.weekly_slot):
        return "not_available_for_slot"
    return None


def covers(slots: Iterable[Slot], wanted: Slot) -> bool:
    """Whether one of the weekly slots holds all of `wanted` (same day, from its start to its end)."""
    return any(s.weekday == wanted.weekday and s.starts <= wanted.starts and wanted.ends <= s.ends for s in slots)


_DAY_NUMBER = {day: number for number, day in enumerate(WEEKDAYS)}
"""Weekday -> Python's `date.weekday()` number (Monday 0)."""


def next_available(slots: Iterable[Slot], now: datetime, tz: ZoneInfo) -> datetime | None:
    """The earliest moment, from `now` on, inside one of the weekly slots (meant in local time
    `tz`, so 10:00 stays 10:00 across daylight-saving changes); `now` itself if a slot is running."""
    local_now = now.astimezone(tz)
    today = local_now.date()
    weekday = today.weekday()
    clock = local_now.time()  # the wall clock: what `ends <= local_now` compares on today's date
    best: datetime | None = None
    # one step per slot instead of walking the days ahead: ranking asks this of every candidate
    # who could win, and a day loop built up to eight dates and sixteen datetimes each time
    for slot in slots:
        days = (_DAY_NUMBER[slot.weekday] - weekday) % 7
        if days == 0 and slot.ends <= clock:
            days = 7  # today's window is over: the same weekday next week
        starts = datetime.combine(today + timedelta(days=days) if days else today, slot.starts, tzinfo=tz)
        moment = max(starts, local_now) if days == 0 else starts
        if best is None or moment < best:
            best = moment
    return best


@dataclass(frozen=True)
class Availability:
    """`next_available` at one moment, with how long that answer holds: for every local time `t`
    with `since <= t < until`, `next_available` at `t` is `t` itself if `running` (a slot is
    running then), else `moment` (the slot ahead is still the next). `until` None: no promise."""

    moment: datetime | None
    running: bool
    since: datetime
    until: datetime | None


def availability(slots: Sequence[Slot], now: datetime, tz: ZoneInfo) -> Availability:
    """`next_available(slots, now, tz)` and until when it holds (see `Availability`); local times
    compare as wall-clock times, as in `next_available`."""
    local_now = now.astimezone(tz)
    moment = next_available(slots, now, tz)
    if moment is None or any(slot.ends <= slot.starts for slot in slots):
        return Availability(moment, False, local_now, None)
    if moment > local_now:
        # nothing runs before `moment`, and its slot does not end before it starts
        return Availability(moment, False, local_now, moment)
    # a slot is running: `next_available` is the moment itself until the last running slot ends
    today = local_now.date()
    until = local_now
    for slot in slots:
        if _DAY_NUMBER[slot.weekday] != today.weekday():
            continue
        ends = datetime.combine(today, slot.ends, tzinfo=tz)
        if datetime.combine(today, slot.starts, tzinfo=tz) <= local_now < ends:
            until = max(until, ends)
    return Availability(moment, True, local_now, until if until > local_now else None)


def shared_languages(candidate: Candidate, need: Need) -> int:
    """How many of the languages the person speaks the volunteer speaks too."""
    return len(need.languages_wanted & candidate.languages)


def skilled(candidate: Candidate, need: Need) -> bool:
    """Whether the volunteer has the level the kind of help asks for (always, if it asks none)."""
    if not need.level_wanted:
        return True
    levels = candidate.levels
    return levels is not None and levels.get(need.help_kind, 0) >= need.level_wanted


def _score(shared: int, wanted: int, open_matches: int, wait: timedelta, familiar: bool, able: bool) -> float:
    """A summary in [0, 1] for people reading a proposal; the order itself is `rank`'s sort key."""
    languages = shared / wanted if wanted else 1.0
    load = 1.0 / (1 + open_matches)
    soon = max(0.0, 1.0 - wait / timedelta(days=7))
    return round(0.2 * familiar + 0.1 * able + 0.35 * languages + 0.2 * load + 0.15 * soon, 3)


_Fit = tuple[bool, int, bool, datetime]
"""(helped this person before, languages shared, has the level wanted, next available)."""


def _fit(candidate: Candidate, need: Need, wanted: frozenset[str], now: datetime, tz: ZoneInfo) -> _Fit | None:
    """For an eligible volunteer, what ranks them; None for one who cannot be asked."""
    if ineligibility(candidate, need) is not None:
        return None
    available = next_available(candidate.slots, now, tz)
    if available is None:
        return None
    return (
        candidate.volunteer_id == need.helped_before,
        len(wanted & candidate.languages),
        skilled(candidate, need),
        available,
    )


def _order(candidate: Candidate, familiar: bool, shared: int, able: bool, available: datetime) -> tuple[object, ...]:
    # the volunteer id last, so the order is total; UUIDs order as their (fixed-width,
    # lower-case hex) text does
    return (
        not familiar,
        -shared,
        not able,
        candidate.open_matches,
        available,
        candidate.registered_at,
        candidate.volunteer_id,
    )


def _ranked(
    candidate: Candidate, familiar: bool, shared: int, able: bool, available: datetime, need: Need, now: datetime
) -> Ranked:
    score = _score(shared, len(need.languages_wanted), candidate.open_matches, available - now, familiar, able)
    return Ranked(candidate, shared, available, score, helped_before=familiar, skilled=able)


def rank(candidates: Iterable[Candidate], need: Need, now: datetime, tz: ZoneInfo) -> list[Ranked]:
    """Eligible volunteers, best first: who helped this person last time (continuity), then most
    languages shared with the person (if the request names any), then who has the skill level the
    kind of help asks for, then fewest open matches, then earliest next available slot, then who
    registered first (the volunteer id breaks a tie of the same instant, so the order is total)."""
    wanted = need.languages_wanted
    ranked: list[Ranked] = []
    for candidate in candidates:
        fit = _fit(candidate, need, wanted, now, tz)
        if fit is not None:
            ranked.append(_ranked(candidate, *fit, need, now))
    ranked.sort(key=lambda r: _order(r.candidate, r.helped_before, r.shared_languages, r.skilled, r.next_available))
    return ranked


def choose_next(
    candidates: Iterable[Candidate], need: Need, now: datetime, tz: ZoneInfo, *, asked: Sequence[UUID] = ()
) -> Ranked | None:
    """The best eligible volunteer not asked for this request before, or None: the first of
    `rank`, found without ranking (or scoring) everyone."""
    already = set(asked)
    wanted = need.languages_wanted
    helped = need.helped_before
    best: tuple[Candidate, bool, int, bool, datetime] | None = None
    best_order: tuple[object, ...] | None = None
    best_prefix: tuple[bool, int, bool, int] | None = None
    # once for every candidate a pool read for one request: no call or allocation that a
    # volunteer who cannot win does not need (an id compared with None, a slice of the best order)
    for candidate in candidates:
        volunteer_id = candidate.volunteer_id
        if (already and volunteer_id in already) or ineligibility(candidate, need) is not None:
            continue
        familiar = helped is not None and volunteer_id == helped
        shared = len(wanted & candidate.languages) if wanted else 0
        able = skilled(candidate, need)
        prefix = (not familiar, -shared, not able, candidate.open_matches)
        if best_prefix is not None and prefix > best_prefix:
            continue  # behind the best already on what comes before the next slot: the slot cannot help
        available = next_available(candidate.slots, now, tz)
        if available is None:
            continue
        order = _order(candidate, familiar, shared, able, available)
        if best_order is None or order < best_order:
            best, best_order, best_prefix = (candidate, familiar, shared, able, available), order, prefix
    return _ranked(*best, need, now) if best is not None else None


def ranked(candidate: Candidate, need: Need, now: datetime, tz: ZoneInfo) -> Ranked | None:
    """One volunteer as `rank` lists them for `need` at `now`, or None if they cannot be asked."""
    fit = _fit(candidate, need, need.languages_wanted, now, tz)
    return _ranked(candidate, *fit, need, now) if fit is not None else None


def ranked_anyway(candidate: Candidate, need: Need, now: datetime, tz: ZoneInfo) -> Ranked:
    """One volunteer as `rank` would list them, eligible or not: for a coordinator's choice by
    hand, which may set soft rules aside."""
    available = next_available(candidate.slots, now, tz) or now
    fit = (candidate.volunteer_id == need.helped_before, shared_languages(candidate, need), skilled(candidate, need))
    return _ranked(candidate, *fit, available, need, now)


class MatchNotFound(NotFound):
    code = "match_not_found"


class HelpRequestNotFound(NotFound):
    code = "help_request_not_found"


class MatchNotOpen(Conflict):
    code = "match_not_open"


class NotYourProposal(Forbidden):
    code = "not_your_proposal"


def match_not_found(match_id: UUID) -> MatchNotFound:
    return MatchNotFound(f"Vorschlag {match_id} gibt es nicht.", f"Match {match_id} does not exist.", field="match_id")


def help_request_not_found(help_request_id: UUID) -> HelpRequestNotFound:
    return HelpRequestNotFound(
        f"Hilfeanfrage {help_request_id} gibt es nicht.",
        f"Help request {help_request_id} does not exist.",
        field="help_request_id",
    )


def check_open(status: MatchStatus, wanted: MatchStatus) -> None:
    """Only a proposal awaiting an answer can be answered; only an accepted one completed."""
    if status is not wanted:
        raise MatchNotOpen(
            f"Der Vorschlag ist nicht mehr offen, sein Status ist '{status.value}'.",
            f"The match is no longer open; its status is '{status.value}'.",
            extra={"current_status": status.value},
        )


def not_your_proposal() -> NotYourProposal:
    return NotYourProposal(
        "Dieser Vorschlag ist an eine andere Person gerichtet; Ehrenamtliche beantworten nur ihre eigenen.",
        "This proposal is addressed to someone else; volunteers answer only their own.",
        extra={"reason": "not_your_proposal"},
    )


def minutes_to_match(received_at: datetime, accepted_at: datetime) -> int:
    """Whole minutes from a help request's arrival to its acceptance, for reporting's time to
    match (which keeps cells, not requests, and cannot join the two itself); never negative."""
    return max(0, int((accepted_at - received_at).total_seconds() // 60))
