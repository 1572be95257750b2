"""Events produced by reporting (v1)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from .event import Classification, Event, EventSpec
from .fields import doc
from .vocabulary import ReportFormat, growable


class ReportPublished(Event):
    spec: ClassVar[EventSpec] = EventSpec(
        "reporting",
        "report",
        "published",
        1,
        Classification.PUBLIC,
        "A period report for a committee was published (aggregates only, small cells suppressed).",
    )

    report_id: UUID = doc("Id of the report.", "c1b2a3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
    period_start: date = doc("First day of the reporting period.", "2026-10-01")
    period_end: date = doc("Last day of the reporting period.", "2026-12-31")
    scope: str = doc("`city`, or a quarter or district id.", "city", max_length=64)
    audience: str = doc("Committee the report is for.", "ausschuss-soziales", max_length=64)
    formats: list[growable(ReportFormat)] = doc("Formats available.", ["html", "csv"])


EVENTS: tuple[type[Event], ...] = (ReportPublished,)
