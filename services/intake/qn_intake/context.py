"""What intake's use cases need besides a unit of work: the city, its street directory and its
routing table. Built by the composition root; the street directory is replaced after an import."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .addresses.directory import StreetDirectory
from .city import City
from .routing import RoutingTable


@dataclass(frozen=True)
class IntakeContext:
    city: City
    directory: StreetDirectory
    routing: RoutingTable


def intake_context(request: Request) -> IntakeContext:
    """FastAPI dependency: the current context (routes take it with Depends)."""
    return request.app.state.intake  # type: ignore[no-any-return]
