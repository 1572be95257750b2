"""The finer figures' rules: which breakdown cells an event adds to, and the early-warning method.
Plain data in, decisions out; no framework, no database.

A breakdown cell is (figure, period, place, topic, detail):
- `concern_channel`: concerns per month and quarter by the channel they came by (the concerns'
  tables split them by it: `..tables.details`);
- `referral_outcome`: referrals' status changes to an outcome (`OUTCOMES`) per month and target
  organisation (the place), by outcome;
- `unmet_need`: a referral declined (`rejected`) or `failed`, by reason, per month, quarter and
  topic ('*' and each topic, as the count cells);
- `signal_week`: early-warning signals per ISO week (Europe/Berlin) and quarter, by signal type;
  `signal_type`: the same per month (the signals' tables split them by type: `..tables.details`);
- `help_requested`, `help_matched`, `help_unmatched`: neighbourly help per month and quarter, by
  kind of help; `help_match_time`: matches whose event carries `minutes_to_match` (since
  contracts 1.7), with those minutes; `help_hours`: assignments completed with their hours;
- `occurrence_held` (with its attendance as the measure) and `occurrence_cancelled`: drop-in
  centres per ISO week of the occurrence, site and offer; `attendance_quarter`: the same
  occurrences per month of the occurrence and quarter of the site;
- `follow_up_done`, `follow_up_on_time` (done by the due date, as intake says on the event since
  contracts 1.8) and `follow_up_overdue` (the escalation when a task passed its due date): per
  month and quarter."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from qn_contracts import Event, EventMeta
from qn_contracts.intake import (
    ConcernRecorded,
    FollowUpDone,
    FollowUpOverdue,
    HelpRequested,
    ReferralStatusChanged,
    SignalRaised,
)
from qn_contracts.matching import AssignmentCompleted, HelpRequestUnmatched, MatchAccepted
from qn_contracts.scheduling import BookingCancelled, OccurrenceAttended

from ..figures.domain import BERLIN, NO_QUARTER, hundredths, month_of, topics_of

UNMET_STATUSES = frozenset({"rejected", "failed"})
"""Referral statuses that leave a need unmet: declined by the target, or failed after accepting."""
OUTCOMES = ("accepted", "rejected", "completed", "failed", "cancelled")
"""The statuses the referrals' figure counts per target: what became of a referral (not the steps
between, `in_progress` or `on_hold`, nor a referral `entered_in_error`)."""
NO_DETAIL = ""
"""A reason, kind or offer the event did not carry."""


@dataclass(frozen=True, order=True)
class BreakdownKey:
    figure: str
    period: str
    place: str
    topic: str
    detail: str


Amounts = dict[BreakdownKey, tuple[int, int]]
"""-> (number of events, sum of their measure in hundredths)."""


def week_of(moment: datetime) -> str:
    """The ISO week `YYYY-Www` of a point in time, in Europe/Berlin (no offset is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    year, week, _ = moment.astimezone(BERLIN).isocalendar()
    return f"{year}-W{week:02d}"


def weeks_in(year: int) -> int:
    """52 or 53: 28 December always lies in the year's last ISO week."""
    return date(year, 12, 28).isocalendar().week


def _help_kind(event: Event) -> str:
    return str(getattr(event, "help_kind", None) or NO_DETAIL)


_HELP_FIGURES: dict[type[Event], str] = {
    HelpRequested: "help_requested",
    MatchAccepted: "help_matched",
    HelpRequestUnmatched: "help_unmatched",
    AssignmentCompleted: "help_hours",
}


SOURCES: frozenset[type[Event]] = frozenset(
    {ConcernRecorded, ReferralStatusChanged, SignalRaised, *_HELP_FIGURES, OccurrenceAttended, BookingCancelled,
     FollowUpDone, FollowUpOverdue}
)  # fmt: skip
"""The event types any breakdown reads (a rebuild folds a million events: the rest are skipped at once)."""


def breakdown(event: Event, meta: EventMeta) -> Amounts:
    """The breakdown cells one event adds to (none for most event types)."""
    if type(event) not in SOURCES:
        return {}
    if isinstance(event, ConcernRecorded):
        return {BreakdownKey("concern_channel", month_of(meta.time), event.quarter_id, "*", str(event.channel)): (1, 0)}
    if isinstance(event, ReferralStatusChanged):
        month, status = month_of(meta.time), str(event.to_status)
        found: Amounts = {}
        if status in OUTCOMES:
            found[BreakdownKey("referral_outcome", month, event.target_id, "*", status)] = (1, 0)
        if status in UNMET_STATUSES:
            reason = event.reason or NO_DETAIL
            found |= {BreakdownKey("unmet_need", month, event.quarter_id, t, reason): (1, 0) for t in topics_of(event)}
        return found
    if isinstance(event, SignalRaised):
        kind = str(event.signal_type)
        return {
            BreakdownKey("signal_week", week_of(meta.time), event.quarter_id, "*", kind): (1, 0),
            BreakdownKey("signal_type", month_of(meta.time), event.quarter_id, "*", kind): (1, 0),
        }
    if isinstance(event, FollowUpDone):
        month = month_of(meta.time)
        found = {BreakdownKey("follow_up_done", month, event.quarter_id, "*", NO_DETAIL): (1, 0)}
        if event.on_time:
            found[BreakdownKey("follow_up_on_time", month, event.quarter_id, "*", NO_DETAIL)] = (1, 0)
        return found
    if isinstance(event, FollowUpOverdue):
        return {BreakdownKey("follow_up_overdue", month_of(meta.time), event.quarter_id, "*", NO_DETAIL): (1, 0)}
    figure = _HELP_FIGURES.get(type(event))
    if figure is not None:
        value = hundredths(event.hours) if isinstance(event, AssignmentCompleted) else 0
        quarter = str(getattr(event, "quarter_id", None) or NO_QUARTER)
        month, kind = month_of(meta.time), _help_kind(event)
        found = {BreakdownKey(figure, month, quarter, "*", kind): (1, value)}
        minutes = getattr(event, "minutes_to_match", None) if isinstance(event, MatchAccepted) else None
        if minutes is not None:
            found[BreakdownKey("help_match_time", month, quarter, "*", kind)] = (1, minutes * 100)
        return found
    if isinstance(event, OccurrenceAttended):
        key = BreakdownKey("occurrence_held", week_of(event.occurrence_start), event.site_id, "*", str(event.offer_id))
        # and by the month of the occurrence and the quarter of its site, for Quartals and the report
        month = month_of(event.occurrence_start)
        by_quarter = BreakdownKey("attendance_quarter", month, event.quarter_id or NO_QUARTER, "*", NO_DETAIL)
        return {key: (1, event.attendance * 100), by_quarter: (1, event.attendance * 100)}
    if isinstance(event, BookingCancelled) and event.occurrence_start is not None:
        # one occurrence of a series called off (a whole booking cancelled is no occurrence)
        week = week_of(event.occurrence_start)
        offer = str(event.offer_id) if event.offer_id else NO_DETAIL
        return {BreakdownKey("occurrence_cancelled", week, event.site_id, "*", offer): (1, 0)}
    return {}


def add_into(target: Amounts, amounts: Mapping[BreakdownKey, tuple[int, int]]) -> None:
    for key, (n, value) in amounts.items():
        old = target.get(key)
        target[key] = (n, value) if old is None else (old[0] + n, old[1] + value)


# -- early warning ------------------------------------------------------------------------------

Z_THRESHOLD = 2.0
"""A week is flagged when its count lies this many standard deviations above the quarter's mean."""
SD_FLOOR = 1.0
"""Signals are rare events: in a quiet quarter the deviation is near 0 and one signal would look
like an alarm. A floor of 1 (the deviation of a Poisson count of 1 a week) keeps single signals
from being flagged."""


@dataclass(frozen=True)
class WeekScore:
    week: str
    count: int
    z: float


def z_scores(weekly: Sequence[int], weeks: Sequence[str]) -> list[WeekScore]:
    """Each week's count against the quarter's own baseline: the mean and standard deviation of
    its weekly counts over the weeks given (weeks without a signal count as 0), the deviation no
    smaller than `SD_FLOOR`. A Shewhart-style control chart, the method Hamburg's Sozialmonitoring
    uses per area against the city: here per quarter against itself."""
    if not weekly:
        return []
    mean = sum(weekly) / len(weekly)
    sd = max(SD_FLOOR, math.sqrt(sum((x - mean) ** 2 for x in weekly) / len(weekly)))
    return [WeekScore(week, count, round((count - mean) / sd, 2)) for week, count in zip(weeks, weekly, strict=True)]
