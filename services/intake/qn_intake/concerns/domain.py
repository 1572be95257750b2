"""Rules for concerns. No framework, no database: plain data in, decisions out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from qn_contracts.vocabulary import AgeBand, Channel, TargetKind, Urgency
from qn_infra.errors import Conflict, Invalid, NotFound

from ..city import City, Quarter
from ..help_requests import domain as help_domain
from ..help_requests.domain import WeeklySlot
from ..routing import HELP, RoutingDecision, RoutingTable

CHILD_PROTECTION_RULE = "child-protection"
"""The rule id of a referral the child-protection rule made (minors and families)."""

# (lowest age, band); a band runs up to the next band's lowest age
AGE_BANDS: tuple[tuple[int, AgeBand], ...] = (
    (0, AgeBand.UNDER_18),
    (18, AgeBand.AGE_18_26),
    (27, AgeBand.AGE_27_64),
    (65, AgeBand.AGE_65_79),
    (80, AgeBand.AGE_80_PLUS),
)


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


Outcome = StrEnum("Outcome", {code.upper(): code for code in OUTCOMES})  # type: ignore[misc]
"""The outcome codes as a closed list for the API schema (`GET /vocabulary` gives the labels)."""


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
class StatedLegalBasis:
    """Staff state why a referral to `target_id` may go without the person's consent."""

    target_id: str
    basis: str
    note: str | None = None


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
    weekly_slot: WeeklySlot | None = None
    contact_channel: ContactChannel | None = None
    language: str | None = None
    person_id: uuid.UUID | None = None
    overrides: tuple[RoutingOverride, ...] = ()
    legal_bases: tuple[StatedLegalBasis, ...] = ()
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


class PersonAlreadyNamed(Conflict):
    code = "person_already_named"


class MinorNeedsOwnConcern(Conflict):
    code = "minor_needs_own_concern"


def age_band_or_none(value: str | None) -> AgeBand | None:
    return AgeBand(value) if value else None


class AgeBandNotFitting(Invalid):
    code = "age_band_not_fitting"


def band_of_age(age: int) -> AgeBand:
    return next(band for lowest, band in reversed(AGE_BANDS) if age >= lowest)


def age_band_for_birth_year(birth_year: int, today: date) -> AgeBand:
    """The age band of someone born in `birth_year`. With the year alone, a person born in 2008 is
    17 or 18 in 2026: the younger age counts, so that a possible minor is treated as one."""
    return band_of_age(max(today.year - birth_year - 1, 0))


def age_band(given: AgeBand | None, birth_year: int | None, today: date) -> AgeBand | None:
    """The concern's age band: the one staff gave, else derived from the person's birth year. A
    given band the birth year rules out is refused (422 naming `age_band`)."""
    if birth_year is None:
        return given
    if given is None:
        return age_band_for_birth_year(birth_year, today)
    possible = {band_of_age(max(today.year - birth_year - 1, 0)), band_of_age(max(today.year - birth_year, 0))}
    if given not in possible:
        shown = ", ".join(sorted(b.value for b in possible))
        raise AgeBandNotFitting(
            f"Die Altersgruppe '{given.value}' passt nicht zum Geburtsjahr {birth_year} der Person (möglich: {shown}).",
            f"Age band '{given.value}' does not fit the person's birth year {birth_year} (possible: {shown}).",
            field="age_band",
        )
    return given


def for_youth_office(age: AgeBand | None, topics: tuple[str, ...], city: City) -> bool:
    """Concerns of minors and families go to the youth office (ASD), whatever their topics."""
    rule = city.child_protection
    return rule is not None and (age == AgeBand.UNDER_18 or bool(rule.family_topics.intersection(topics)))


def route(
    routing: RoutingTable, quarter: Quarter, topics: tuple[str, ...], age: AgeBand | None, city: City
) -> list[RoutingDecision]:
    """Where a concern goes: for a minor or a family, every topic to the youth office and no
    neighbourly help (only the youth office may ask for that); else what the routing table says."""
    if for_youth_office(age, topics, city):
        assert city.child_protection is not None
        office = city.child_protection.youth_office
        return [RoutingDecision(TargetKind.OFFICE.value, office, topics, CHILD_PROTECTION_RULE)]
    return routing.route(quarter, topics, age)


def check_legal_bases(
    stated: tuple[StatedLegalBasis, ...], decisions: list[tuple[RoutingDecision, str | None]]
) -> dict[str, StatedLegalBasis]:
    """Each stated legal basis must name a target this concern is referred to (once)."""
    targets = {d.target_id for d, _ in decisions if not is_help(d)}
    by_target: dict[str, StatedLegalBasis] = {}
    for index, basis in enumerate(stated):
        if basis.target_id not in targets or basis.target_id in by_target:
            known = ", ".join(sorted(targets)) or "-"
            raise UnknownTarget(
                f"'{basis.target_id}' ist kein (weiteres) Ziel dieses Anliegens. Ziele: {known}.",
                f"'{basis.target_id}' is not a (further) target of this concern. Targets: {known}.",
                field=f"legal_bases.{index}.target_id",
            )
        by_target[basis.target_id] = basis
    return by_target


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


def check_weekly_slot(slot: WeeklySlot | None, decisions: list[tuple[RoutingDecision, str | None]]) -> None:
    """A weekly slot belongs to neighbourly help, like the help kind: refused where routing asks
    for none, and refused when it ends before it starts."""
    if slot is None:
        return
    if not any(is_help(decision) for decision, _ in decisions):
        raise UnknownTopic(
            "Für die Themen dieses Anliegens ist keine Nachbarschaftshilfe vorgesehen; "
            "bitte z. B. das Thema 'nachbarschaftshilfe' angeben oder weekly_slot weglassen.",
            "The routing table sends none of these topics to neighbourly help; add e.g. the topic "
            "'nachbarschaftshilfe' or leave out weekly_slot.",
            field="weekly_slot",
        )
    help_domain.check_weekly_slot(slot)


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
        f"Das Anliegen ist bereits {de}.", f"The concern is already {status}.", extra={"current_status": status}
    )
