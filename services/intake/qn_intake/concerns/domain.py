"""Rules for recording a concern. No framework, no database: plain data in, decisions out."""

from __future__ import annotations

from dataclasses import dataclass

from qn_contracts.vocabulary import AgeBand, Channel, Urgency
from qn_infra.errors import Invalid, NotFound

from ..city import City, Quarter


@dataclass(frozen=True)
class AddressInput:
    street: str
    house_number: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class RecordConcern:
    channel: Channel
    topics: tuple[str, ...]
    urgency: Urgency
    address: AddressInput | None = None
    quarter_id: str | None = None
    age_band: AgeBand | None = None
    help_kind: str | None = None
    note: str | None = None


class UnknownTopic(Invalid):
    code = "unknown_topic"


class UnknownQuarter(Invalid):
    code = "unknown_quarter"


class LocationMissing(Invalid):
    code = "location_missing"


class ConcernNotFound(NotFound):
    code = "concern_not_found"


def check_topics(topics: tuple[str, ...], city: City) -> None:
    for index, topic in enumerate(topics):
        if topic not in city.topics:
            known = ", ".join(sorted(city.topics))
            raise UnknownTopic(
                f"Thema '{topic}' gibt es nicht. Bekannte Themen: {known}.",
                f"Unknown topic '{topic}'. Known topics: {known}.",
                field=f"topics.{index}",
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
        "Bitte eine Adresse oder ein Quartier angeben.",
        "Please give an address or a quarter.",
        field="address",
    )
