"""Field types that several events share, each documented once (description + example)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from .vocabulary import AgeBand, Code, OrgId, QuarterId, Urgency, growable


def doc(description: str, example: object, **kwargs: Any) -> Any:
    """A pydantic `Field` with a description and one example (both feed JSON Schema/AsyncAPI).
    Returns Any, as `Field` itself does, so that it can stand as a field's default."""
    return Field(description=description, examples=[example], **kwargs)


PersonRef = Annotated[
    UUID,
    doc(
        "Random pseudonymous reference to a person, issued by intake. Carries no meaning; it only "
        "lets consumers relate events about the same person and forget them on erasure.",
        "5f1d7c1e-6a7b-4c3e-9f1a-2b3c4d5e6f70",
    ),
]
VolunteerRef = Annotated[
    UUID,
    doc(
        "Random pseudonymous reference to a volunteer, issued by matching.",
        "a3c2b1d0-1e2f-4a5b-8c7d-9e0f1a2b3c4d",
    ),
]
ConcernId = Annotated[UUID, doc("Id of the concern (Anliegen) in intake.", "1c9e6f3a-8b7d-4e2f-a1b0-c9d8e7f6a5b4")]
ReferralId = Annotated[UUID, doc("Id of the referral in intake.", "7d6c5b4a-3f2e-4d1c-b0a9-8f7e6d5c4b3a")]
HelpRequestId = Annotated[
    UUID,
    doc("Id of the neighbourly-help request, issued by intake.", "2e4f6a8c-0b1d-4f3e-9a7c-5b3d1f0e2a4c"),
]
MatchId = Annotated[UUID, doc("Id of the match proposal in matching.", "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")]
SiteId = Annotated[
    str, doc("Id of a site (drop-in centre, Angebotstreff).", "franztreff", pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
]
RoomId = Annotated[
    str, doc("Id of a room, unique within its site.", "beratung-1", pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
]
BookingId = Annotated[UUID, doc("Id of a booking in scheduling.", "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d")]
OfferId = Annotated[
    UUID, doc("Id of an offer (recurring programme item) in scheduling.", "6f5e4d3c-2b1a-4f0e-8d9c-7b6a5f4e3d2c")
]
Quarter = Annotated[QuarterId, doc("Quarter (Sozialraum) the event belongs to.", "dessau-innenstadt-sued")]
Topics = Annotated[
    list[Code],
    doc(
        "Topic codes from the city's taxonomy (e.g. alter, pflege, wohnen, einsamkeit).",
        ["einsamkeit", "alter"],
        min_length=1,
        max_length=14,
    ),
]
UrgencyField = Annotated[
    growable(Urgency), doc("Urgency: immediate (sofort), soon (zeitnah), plannable (planbar).", "soon")
]
AgeBandField = Annotated[AgeBand | None, doc("Age band of the person, if known; never an exact age.", "80_plus")]
Org = Annotated[OrgId, doc("Carrier, office or team id from the city's configuration.", "awo-dessau")]
Timestamp = Annotated[datetime, doc("A point in time (RFC 3339, with offset).", "2026-11-24T10:00:00+01:00")]
