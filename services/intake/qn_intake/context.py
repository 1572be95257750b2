"""What intake's use cases need besides a unit of work: the city, its street directory, its
routing table and the in-process bus. Built by the composition root; the street directory is
replaced after an import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fastapi import Request

from qn_infra.errors import Invalid
from qn_infra.pseudonyms import LoginPseudonyms

from .addresses.directory import StreetDirectory
from .bus import MessageBus
from .city import City
from .routing import RoutingTable


class QuarterLocator(Protocol):
    def quarter_at(self, lon: float, lat: float) -> str: ...


@dataclass(frozen=True)
class IntakeContext:
    city: City
    directory: StreetDirectory
    routing: RoutingTable
    bus: MessageBus
    polygons: QuarterLocator | None = None
    pseudonyms: LoginPseudonyms | None = None
    """Login pseudonyms (decision 0013): who accepted a help request may read its address."""

    def quarter_at(self, lon: float, lat: float) -> str:
        """The quarter containing a point; 422 when the city configured no quarter outlines."""
        if self.polygons is None:
            raise Invalid(
                "Für diese Stadt sind keine Quartiersgrenzen hinterlegt; bitte Adresse oder Quartier angeben.",
                "This city has no quarter outlines configured; please give an address or a quarter.",
                field="location",
            )
        return self.polygons.quarter_at(lon, lat)


def intake_context(request: Request) -> IntakeContext:
    """The current context of a request's app (its street directory is replaced after an import)."""
    return request.app.state.intake  # type: ignore[no-any-return]
