"""The team's work queue: what is open, what is late, and in which order staff should take it.
No framework, no database.

What is in it: open concerns; referrals still under way, held for consent, or declined/failed
without a next step ("another way needed"); open follow-ups; help requests waiting for a person
or for consent, or for which matching found nobody.

Order: escalated or overdue items first; then urgency (immediate, soon, plannable); then the due
date; then kind and id, so that paging is stable. Due dates:
- a concern, and a help request that waits, is due `referral_due` days (city.toml, by urgency and
  topic) after the concern was recorded -- the time the city gives for getting help under way;
- a referral and a follow-up have their own due date; a declined referral or a help request that
  found nobody is due at once.
A follow-up's urgency is the most urgent of its concern's (if any) and the one its deadline stands
for, compared with the city's referral deadlines (a 1-day follow-up is as urgent as an
'immediate' referral)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from qn_contracts.vocabulary import ReferralStatus, SignalType, Urgency
from qn_infra.errors import Invalid

from ..access import AWAITING_CONSENT
from ..city import City, Policy
from ..help_requests.domain import HelpStatus, help_kind_label
from ..referrals.domain import OPEN as OPEN_REFERRALS
from ..signals.domain import SIGNAL_LABELS


class QueueKind(StrEnum):
    CONCERN = "concern"
    REFERRAL = "referral"
    FOLLOW_UP = "follow_up"
    HELP_REQUEST = "help_request"


OPEN_REFERRAL_STATUSES = tuple(s for s in ReferralStatus if s in OPEN_REFERRALS)
"""Referral statuses that still need someone to act (the referral state machine's non-final ones)."""
ANOTHER_WAY_STATUSES = (ReferralStatus.REJECTED.value, ReferralStatus.FAILED.value)
"""A declined or failed referral is back in the queue until the team records its next step."""
HELP_STATUSES = (HelpStatus.NEEDS_PERSON.value, HelpStatus.AWAITING_CONSENT.value, HelpStatus.UNMATCHED.value)


class QueueStatus(StrEnum):
    """Every status an item of the work queue can have (the `status` filter)."""

    OPEN = "open"
    AWAITING_CONSENT = "awaiting_consent"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    REJECTED = "rejected"
    FAILED = "failed"
    NEEDS_PERSON = "needs_person"
    UNMATCHED = "unmatched"


STATUSES = {
    QueueKind.CONCERN: ("open",),
    QueueKind.REFERRAL: (AWAITING_CONSENT, *(s.value for s in OPEN_REFERRAL_STATUSES), *ANOTHER_WAY_STATUSES),
    QueueKind.FOLLOW_UP: ("open",),
    QueueKind.HELP_REQUEST: HELP_STATUSES,
}
URGENCY_RANK = {Urgency.IMMEDIATE: 0, Urgency.SOON: 1, Urgency.PLANNABLE: 2}
KIND_RANK = {QueueKind.FOLLOW_UP: 0, QueueKind.REFERRAL: 1, QueueKind.HELP_REQUEST: 2, QueueKind.CONCERN: 3}
REFERRAL_STATUS_LABELS = {
    AWAITING_CONSENT: ("Einwilligung oder Rechtsgrundlage fehlt", "consent or legal basis missing"),
    "requested": ("angefragt", "requested"),
    "accepted": ("angenommen", "accepted"),
    "in_progress": ("in Bearbeitung", "in progress"),
    "on_hold": ("pausiert", "on hold"),
    "rejected": ("abgelehnt – anderer Weg nötig", "declined – another way needed"),
    "failed": ("gescheitert – anderer Weg nötig", "failed – another way needed"),
}
HELP_STATUS_LABELS = {
    HelpStatus.NEEDS_PERSON.value: ("Person fehlt noch", "the person is not named yet"),
    HelpStatus.AWAITING_CONSENT.value: ("Einwilligung fehlt", "consent missing"),
    HelpStatus.UNMATCHED.value: ("niemand gefunden – anderer Weg nötig", "nobody found – another way needed"),
}


class InvalidFilter(Invalid):
    code = "invalid_filter"


@dataclass(frozen=True)
class QueueFilter:
    kind: QueueKind | None = None
    status: str | None = None
    quarter_id: str | None = None
    topic: str | None = None
    overdue: bool | None = None


@dataclass(frozen=True)
class QueueItem:
    kind: QueueKind
    id: uuid.UUID
    concern_id: uuid.UUID | None
    quarter_id: str
    topics: tuple[str, ...]
    urgency: Urgency
    status: str
    due_at: datetime
    escalated: bool
    label_de: str
    label_en: str
    target_id: str | None = None
    reason: str | None = None
    """For a follow-up: the signal type; for a declined referral: the decline reason; for a help
    request nobody took: why matching found nobody."""

    def overdue(self, now: datetime) -> bool:
        return self.due_at < now

    def sort_key(self, now: datetime) -> tuple[int, int, datetime, int, str]:
        late = 0 if self.escalated or self.overdue(now) else 1
        return (late, URGENCY_RANK[self.urgency], self.due_at, KIND_RANK[self.kind], str(self.id))


def check_filter(f: QueueFilter, city: City) -> None:
    """Refuses filters that can never match, naming the parameter and what it may be."""
    allowed = sorted({s for kind, statuses in STATUSES.items() if f.kind in (None, kind) for s in statuses})
    if f.status is not None and f.status not in allowed:
        raise InvalidFilter(
            f"Status '{f.status}' gibt es in der Arbeitsliste nicht. Erlaubt: {', '.join(allowed)}.",
            f"Status '{f.status}' does not occur in the work queue. Allowed: {', '.join(allowed)}.",
            field="status",
            extra={"allowed": allowed},
        )
    if f.quarter_id is not None and f.quarter_id not in city.quarters:
        known = ", ".join(sorted(city.quarters))
        raise InvalidFilter(
            f"Quartier '{f.quarter_id}' gibt es nicht. Bekannte Quartiere: {known}.",
            f"Unknown quarter '{f.quarter_id}'. Known quarters: {known}.",
            field="quarter_id",
        )
    if f.topic is not None and f.topic not in city.topics:
        known = ", ".join(sorted(city.topics))
        raise InvalidFilter(
            f"Thema '{f.topic}' gibt es nicht. Bekannte Themen: {known}.",
            f"Unknown topic '{f.topic}'. Known topics: {known}.",
            field="topic",
        )


def matches(item: QueueItem, f: QueueFilter, now: datetime) -> bool:
    return (
        (f.kind is None or item.kind == f.kind)
        and (f.status is None or item.status == f.status)
        and (f.quarter_id is None or item.quarter_id == f.quarter_id)
        and (f.topic is None or f.topic in item.topics)
        and (f.overdue is None or item.overdue(now) == f.overdue)
    )


def concern_due(policy: Policy, topics: tuple[str, ...], urgency: Urgency, recorded_at: datetime) -> datetime:
    return recorded_at + timedelta(days=policy.referral_due(topics, urgency))


def urgency_of_deadline(policy: Policy, days: float) -> Urgency:
    """The urgency whose referral deadline a follow-up's deadline fits into."""
    for urgency in (Urgency.IMMEDIATE, Urgency.SOON):
        if days <= policy.referral_due_days[urgency]:
            return urgency
    return Urgency.PLANNABLE


def most_urgent(*urgencies: Urgency | None) -> Urgency:
    return min((u for u in urgencies if u is not None), key=URGENCY_RANK.__getitem__, default=Urgency.PLANNABLE)


def topic_labels(city: City, topics: tuple[str, ...], language: int) -> str:
    """Topic names in German (0) or English (1); a code the city no longer lists stays a code."""
    topic = city.topics.get
    return ", ".join((topic(t).de, topic(t).en)[language] if topic(t) else t for t in topics)  # type: ignore[union-attr]


def concern_label(city: City, topics: tuple[str, ...]) -> tuple[str, str]:
    return f"Anliegen: {topic_labels(city, topics, 0)}", f"Concern: {topic_labels(city, topics, 1)}"


def referral_label(city: City, target_id: str, status: str) -> tuple[str, str]:
    org = city.organisations.get(target_id)
    team = city.teams.get(target_id)
    name = org.name if org else team.name if team else target_id
    de, en = REFERRAL_STATUS_LABELS.get(status, (status, status))
    return f"Vermittlung an {name} ({de})", f"Referral to {name} ({en})"


def help_label(help_kind: str, status: str) -> tuple[str, str]:
    de, en = HELP_STATUS_LABELS.get(status, (status, status))
    kind_de, kind_en = help_kind_label(help_kind)
    return f"Nachbarschaftshilfe ({kind_de}): {de}", f"Neighbourly help ({kind_en}): {en}"


def follow_up_label(reason: str) -> tuple[str, str]:
    try:
        de, en = SIGNAL_LABELS[SignalType(reason)]
    except ValueError:
        de = en = reason
    return f"Wiedervorlage: {de}", f"Follow-up: {en}"
