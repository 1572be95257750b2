"""What a coordinator may do by hand -- assign one volunteer, or offer a request to several at once
-- and what stops them: the hard rules hold for everyone (safety, the volunteer's own statements
of what and when), the soft ones a coordinator may override, saying so. No framework, no database."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from qn_infra.errors import Conflict, Invalid

from ..volunteers.vetting import is_vetted
from .domain import Candidate, Need, RequestStatus, at_capacity, covers


class Override(StrEnum):
    """Soft rules a coordinator may set aside for one task, e.g. after a phone call with the volunteer."""

    OUT_OF_REACH = "out_of_reach"
    """The request's quarter lies beyond the reach the volunteer gave."""
    AT_CAPACITY = "at_capacity"
    """The volunteer has as many open proposals and tasks as they wanted at once."""


NOT_FIRST = "not_first"
"""Recorded, never asked for: the ranking would have asked someone else first."""

# hard rules: never set aside by hand (code -> German, English)
HARD: dict[str, tuple[str, str]] = {
    "not_active": ("ist nicht aktiv (z. B. pausiert, nicht freigegeben oder ausgeschieden)", "is not active"),
    "away": ("ist heute abwesend (Urlaub, Krankheit)", "is away today (holiday, illness)"),
    "missing_skill": ("bietet diese Hilfe oder eine verlangte Fähigkeit nicht an", "does not offer this help"),
    "not_vetted": (
        "hat kein gültiges erweitertes Führungszeugnis, das diese Hilfe verlangt",
        "has no valid police-certificate check, which this help needs",
    ),
    "no_availability": ("hat keine Zeiten angegeben", "gave no times when they are available"),
    "not_available_for_slot": (
        "hat zur wöchentlichen Zeit der Hilfe keine Zeit angegeben",
        "is not available at the help's weekly time",
    ),
    "already_asked": (
        "wurde für diese Anfrage schon gefragt (siehe die Vorschläge der Anfrage)",
        "was asked for this request before (see its proposals)",
    ),
}
SOFT: dict[str, tuple[str, str]] = {
    Override.OUT_OF_REACH: ("wohnt außerhalb der angegebenen Reichweite", "lives beyond the reach they gave"),
    Override.AT_CAPACITY: (
        "hat schon so viele offene Einsätze, wie sie oder er höchstens möchte",
        "has as many open tasks as they want at once",
    ),
}

OPEN_FOR_COORDINATOR = (RequestStatus.UNMATCHED, RequestStatus.PROPOSED)
"""A request a coordinator can still place: in their queue, or waiting for an answer (whose open
proposals their choice withdraws)."""


def obstacles(candidate: Candidate, need: Need, *, away: bool, asked_before: bool) -> tuple[list[str], list[str]]:
    """Every rule `candidate` fails for `need`: (hard, soft) codes, each list in a fixed order."""
    hard: list[str] = []
    if candidate.status.value != "active":
        hard.append("not_active")
    if away:
        hard.append("away")
    if not need.required_skills <= candidate.skills:
        hard.append("missing_skill")
    if need.vetting_needed_on is not None and not is_vetted(candidate.vetted_until, need.vetting_needed_on):
        hard.append("not_vetted")
    if not candidate.slots:
        hard.append("no_availability")
    elif need.weekly_slot is not None and not covers(candidate.slots, need.weekly_slot):
        hard.append("not_available_for_slot")
    if asked_before:
        hard.append("already_asked")
    soft: list[str] = []
    if candidate.quarter_id != need.quarter_id and (
        candidate.reaches is None or need.quarter_id not in candidate.reaches
    ):
        soft.append(Override.OUT_OF_REACH.value)
    if at_capacity(candidate):
        soft.append(Override.AT_CAPACITY.value)
    return hard, soft


class CannotPlace(Invalid):
    code = "volunteer_cannot_take_it"


class NotOverridden(Invalid):
    code = "override_needed"


class RequestNotOpen(Conflict):
    code = "help_request_not_open"


class InvalidOffer(Invalid):
    code = "invalid_offer"


def _explained(codes: Sequence[str], table: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "de": table[code][0], "en": table[code][1]} for code in codes]


def check_placeable(
    name: str, hard: Sequence[str], soft: Sequence[str], overrides: Sequence[str], *, field: str
) -> None:
    """Refuses a volunteer who fails a hard rule (422 naming every one), or a soft rule the
    coordinator did not override (422 naming the field `overrides` and what it must hold)."""
    if hard:
        de = "; ".join(HARD[c][0] for c in hard)
        en = "; ".join(HARD[c][1] for c in hard)
        raise CannotPlace(
            f"{name} kann diese Hilfe nicht übernehmen: {de}.",
            f"{name} cannot take this help on: {en}.",
            field=field,
            extra={"rules": _explained(hard, HARD)},
        )
    missing = [c for c in soft if c not in overrides]
    if missing:
        de = "; ".join(SOFT[c][0] for c in missing)
        en = "; ".join(SOFT[c][1] for c in missing)
        raise NotOverridden(
            f"{name} {de}. Wenn es trotzdem passt (z. B. nach Rücksprache), bitte unter 'overrides' angeben: "
            f"{', '.join(missing)}.",
            f"{name} {en}. If it fits all the same (e.g. after a call), say so in 'overrides': {', '.join(missing)}.",
            field="overrides",
            extra={"rules": _explained(missing, SOFT), "volunteer_field": field},
        )


def check_request_open(status: RequestStatus) -> None:
    """Only a request in the coordinator's queue, or waiting for an answer, can be placed by hand."""
    if status not in OPEN_FOR_COORDINATOR:
        raise RequestNotOpen(
            f"Die Anfrage ist nicht mehr offen, ihr Status ist '{status.value}'.",
            f"The help request is no longer open; its status is '{status.value}'.",
            field="help_request_id",
            extra={"current_status": status.value},
        )


def check_offer_list(volunteer_ids: Sequence[object], *, most: int) -> None:
    """An offer to several names 2 to `most` different volunteers."""
    if len(set(volunteer_ids)) != len(volunteer_ids):
        raise InvalidOffer("Jede Person bitte nur einmal nennen.", "Name each volunteer once.", field="volunteer_ids")
    if not 2 <= len(volunteer_ids) <= most:
        raise InvalidOffer(
            f"Ein Angebot an mehrere richtet sich an 2 bis {most} Ehrenamtliche; für eine Person: zuteilen.",
            f"An offer to several goes to 2 to {most} volunteers; for one, assign.",
            field="volunteer_ids",
        )
