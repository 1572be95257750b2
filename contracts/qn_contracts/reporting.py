"""Events produced by reporting (v1)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from .event import Classification, Event, EventSpec
from .fields import doc
from .vocabulary import Growable, ReportFormat


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
    formats: list[Annotated[str, Growable(ReportFormat)]] = doc("Formats available.", ["html", "csv"])
    # 1.7: the printed period report says where it is and what it holds (still no figure, no person)
    period: str | None = doc(
        "The period as reporting names it: a Quartal (`2026-Q4`) or a year (`2026`).",
        "2026-Q4",
        default=None,
        pattern=r"^\d{4}(-Q[1-4])?$",
    )
    path: str | None = doc(
        "Where the report is served, relative to reporting's public base URL.",
        "reports/2026-Q4.pdf",
        default=None,
        max_length=200,
    )
    metrics: list[Annotated[str, Field(max_length=64)]] = doc(
        "The figures the report holds (metric keys of reporting's catalogue).",
        ["concern.recorded", "referral.requested"],
        default_factory=list,
        max_length=64,
    )
    disclosure_minimum: int | None = doc(
        "Smallest count shown in the report; smaller ones and their complements are '.'.", 3, default=None, ge=1
    )


EVENTS: tuple[type[Event], ...] = (ReportPublished,)
