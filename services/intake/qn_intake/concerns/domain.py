"""Rules for concerns. No framework, no database: plain data in, decisions out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from qn_contracts.vocabulary import AgeBand, Channel, TargetKind, Urgency
from qn_infra.errors import Conflict, Invalid, NotFound

from ..city import City, Quarter
from ..routing import HELP, RoutingDecision


class ContactChannel(StrEnum):
    """How the person wants to be reached about this concern."""

    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    HOME_VISIT = "home_visit"
    IN_PERSON = "in_person"
    NONE = "none"


# Outcomes a concern is closed with (German labels for staff).
OUTCOMES: dict[str, tuple[str, str]] = {
    "resolved": ("Geklärt", "Resolved"),
    "referred": ("Weitervermittelt", "Referred elsewhere"),
    "help_arranged": ("Hilfe organisiert", "Help arranged"),
    "no_need": ("Kein Bedarf mehr", "No longer needed"),
    "not_reachable": ("Nicht erreichbar", "Could not be reached"),
    "declined": ("Von der Person abgelehnt", "Declined by the person"),
    "moved_away": ("Verzogen", "Moved away"),
    "deceased": ("Verstorben", "Deceased"),
    "entered_in_error": ("Irrtümlich erfasst", "Entered in error"),
}


@dataclass(frozen=True)
class AddressInput:
    street: str
    house_number: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class RoutingOverride:
    """Staff send a topic somewhere else than the routing table says, and say why."""

    topic: str
    target_id: str
    reason: str


@dataclass(frozen=True)
class RecordConcern:
    channel: Channel
    topics: tuple[str, ...]
    urgency: Urgency
    address: AddressInput | None = None
    location: Location | None = None
    quarter_id: str | None = None
    age_band: AgeBand | None = None
    help_kind: str | None = None
    contact_channel: ContactChannel | None = None
    language: str | None = None
    person_id: uuid.UUID | None = None
    overrides: tuple[RoutingOverride, ...] = ()
    note: str | None = None


class UnknownTopic(Invalid):
    code = "unknown_topic"


class UnknownQuarter(Invalid):
    code = "unknown_quarter"


class UnknownTarget(Invalid):
    code = "unknown_target"


class LocationMissing(Invalid):
    code = "location_missing"


class UnknownOutcome(Invalid):
    code = "unknown_outcome"


class ConcernNotFound(NotFound):
    code = "concern_not_found"


class ConcernStateConflict(Conflict):
    code = "concern_state_conflict"


def check_topics(topics: tuple[str, ...], city: City, field: str = "topics") -> None:
    for index, topic in enumerate(topics):
        if topic not in city.topics:
            known = ", ".join(sorted(city.topics))
            raise UnknownTopic(
                f"Thema '{topic}' gibt es nicht. Bekannte Themen: {known}.",
                f"Unknown topic '{topic}'. Known topics: {known}.",
                field=f"{field}.{index}",
            )


def known_quarter(quarter_id: str, city: City, field: str = "quarter_id") -> Quarter:
    quarter = city.quarter(quarter_id)
    if quarter is None:
        known = ", ".join(sorted(city.quarters))
        raise UnknownQuarter(
            f"Quartier '{quarter_id}' gibt es nicht. Bekannte Quartiere: {known}.",
            f"Unknown quarter '{quarter_id}'. Known quarters: {known}.",
            field=field,
        )
    return quarter


def location_missing() -> LocationMissing:
    return LocationMissing(
        "Bitte eine Adresse, Koordinaten oder ein Quartier angeben.",
        "Please give an address, coordinates or a quarter.",
        field="address",
    )


def target_kind(target_id: str, city: City, field: str) -> TargetKind:
    kind = city.target_kind(target_id)
    if kind is None:
        known = ", ".join(sorted([*city.organisations, *city.teams]))
        raise UnknownTarget(
            f"'{target_id}' ist weder Träger, Amt noch Team dieser Stadt. Bekannt: {known}.",
            f"'{target_id}' is no carrier, office or team of this city. Known: {known}.",
            field=field,
        )
    return kind


def apply_overrides(
    decisions: list[RoutingDecision], overrides: tuple[RoutingOverride, ...], topics: tuple[str, ...], city: City
) -> list[tuple[RoutingDecision, str | None]]:
    """The routing table's decisions with the overridden topics sent where staff said, paired with
    the override reason (None where the table decided)."""
    for index, override in enumerate(overrides):
        if override.topic not in topics:
            raise UnknownTopic(
                f"Thema '{override.topic}' gehört nicht zu diesem Anliegen.",
                f"Topic '{override.topic}' is not one of this concern's topics.",
                field=f"referral_overrides.{index}.topic",
            )
        target_kind(override.target_id, city, f"referral_overrides.{index}.target_id")
    overridden = {o.topic for o in overrides}
    result: list[tuple[RoutingDecision, str | None]] = []
    for decision in decisions:
        kept = tuple(t for t in decision.topics if t not in overridden)
        if kept:
            result.append(
                (RoutingDecision(decision.kind, decision.target_id, kept, decision.rule_id, decision.help_kind), None)
            )
    by_target: dict[str, tuple[list[str], str]] = {}
    for override in overrides:
        topics_of, reason = by_target.setdefault(override.target_id, ([], override.reason))
        topics_of.append(override.topic)
    for target_id, (target_topics, reason) in by_target.items():
        kind = target_kind(target_id, city, "referral_overrides")
        result.append((RoutingDecision(kind.value, target_id, tuple(target_topics), None), reason))
    return result


def is_help(decision: RoutingDecision) -> bool:
    return decision.kind == HELP


def check_help_kind(help_kind: str | None, decisions: list[tuple[RoutingDecision, str | None]]) -> None:
    """A help kind is only meaningful when routing asks for neighbourly help; silently dropping it
    would hide the mistake from staff."""
    if help_kind is not None and not any(is_help(decision) for decision, _ in decisions):
        raise UnknownTopic(
            "Für die Themen dieses Anliegens ist keine Nachbarschaftshilfe vorgesehen; "
            "bitte z. B. das Thema 'nachbarschaftshilfe' angeben oder help_kind weglassen.",
            "The routing table sends none of these topics to neighbourly help; add e.g. the topic "
            "'nachbarschaftshilfe' or leave out help_kind.",
            field="help_kind",
        )


def check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        known = ", ".join(OUTCOMES)
        raise UnknownOutcome(
            f"Abschluss '{outcome}' gibt es nicht. Möglich: {known}.",
            f"Unknown outcome '{outcome}'. Possible: {known}.",
            field="outcome",
        )


def not_found(concern_id: uuid.UUID) -> ConcernNotFound:
    return ConcernNotFound(
        f"Anliegen {concern_id} gibt es nicht.", f"Concern {concern_id} does not exist.", field="concern_id"
    )


def already(status: str) -> ConcernStateConflict:
    de = {"open": "offen", "closed": "abgeschlossen"}.get(status, status)
    return ConcernStateConflict(
        f"Das Anliegen ist bereits {de}.", f"The concern is already {status}.", extra={"status": status}
    )
