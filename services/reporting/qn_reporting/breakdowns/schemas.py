"""What the finer figures API returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..tables.schemas import Freshness, Protection


class ColumnOut(BaseModel):
    name: str = Field(examples=["requested"])
    label: str = Field(examples=["Anfragen"])
    kind: str = Field(
        description="count, people, magnitude (hours, minutes), or share (a ratio of two columns).", examples=["count"]
    )


class FigureRowOut(BaseModel):
    period: str = Field(description="Year (2026), Quartal (2026-Q1) or ISO week (2026-W05).", examples=["2026-Q1"])
    place: str = Field(
        description="'city', 'district:<id>', a quarter id, '' (no quarter); for the drop-in centres 'sites', "
        "a site id or '<site>/<offer>'; for the referrals 'targets', 'kind:<carrier|office|team>' or an "
        "organisation's id.",
        examples=["ziebigk"],
    )
    place_label: str = Field(examples=["Ziebigk"])
    topic: str = Field(description="Topic code, or '*' for all topics.", examples=["*"])
    detail: str = Field(
        description="Channel, reason, signal type, kind of help or offer; '*' for all.", examples=["no_capacity"]
    )
    detail_label: str | None = Field(
        None, description="The channel's or kind of help's name, after the language asked for."
    )
    values: dict[str, int | float | None] = Field(
        description="Column -> published value; null where it is not published ('.'), or for a share or mean "
        "where its base is below the minimum.",
        examples=[{"requested": 12, "matched": 9, "matched_share": 0.75}],
    )


class WeekOut(BaseModel):
    week: str = Field(examples=["2026-W05"])
    signals: int = Field(description="The week's published signal count.", examples=[7])
    z: float = Field(description="Deviations above the quarter's own weekly mean.", examples=[2.4])


class FlagOut(BaseModel):
    place: str = Field(examples=["ziebigk"])
    place_label: str = Field(examples=["Ziebigk"])
    weeks: list[WeekOut]


class FigureOut(BaseModel):
    figure: str = Field(examples=["neighbourly_help"])
    label: str
    year: int = Field(examples=[2026])
    columns: list[ColumnOut]
    detail_label: str | None = Field(description="What the detail codes are, if the figure has any.")
    place_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="The referrals' recipients by kind: 'kind:carrier' -> the organisations' ids.",
    )
    detail_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Detail codes that group others ('@first_contact', '@referred') -> the codes they add up.",
    )
    freshness: Freshness
    protection: Protection
    rows: list[FigureRowOut]
    flagged: list[FlagOut] = Field(
        description="Early warning only: per quarter, the weeks whose count lies 2 or more standard deviations "
        "above the quarter's own weekly mean (weeks up to the last with a signal; a deviation below 1 counts as 1)."
    )
