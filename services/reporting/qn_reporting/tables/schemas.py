"""What the published tables API returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TableRow(BaseModel):
    period: str = Field(description="Year (2026), Quartal (2026-Q1) or month (2026-01).", examples=["2026-Q1"])
    place: str = Field(description="Quarter id, 'district:<id>', 'city', or '' for events without a quarter.")
    place_label: str = Field(examples=["Ziebigk"])
    topic: str = Field(description="Topic code, or '*' for all topics (each event once).", examples=["*"])
    detail: str = Field(
        "*",
        description="With details=true: the channel (concerns) or kind of help, a group of them ('@first_contact', "
        "'@referred'), or '' where the event gave none; '*' on the rows of all details.",
        examples=["walk_in"],
    )
    detail_label: str | None = Field(None, description="The detail's name, after Accept-Language.")
    value: int | None = Field(description="The count; null where it is not published.", examples=[12])
    flag: str | None = Field(
        description="'.' where the count is not published (too small, or hidden so that no total gives a "
        "small one away -- the two are not told apart), the sign German official statistics use.",
        examples=[None],
    )


class Protection(BaseModel):
    method: str = Field(
        description="primary_and_secondary_suppression, with '+rounding_5' or '+cell_key' where the office "
        "publishes shown values rounded or with cell-key noise.",
        examples=["primary_and_secondary_suppression"],
    )
    minimum: int = Field(description="Smallest count published.", examples=[3])
    hidden_cells_in_year: int = Field(description="Cells hidden across all tables of this metric and year.")
    note: str = Field(description="What the protection means, after Accept-Language.")


class Freshness(BaseModel):
    latest_event_time: datetime | None = Field(
        description="The latest event time (ce-time) counted in this figure; null before the first event."
    )
    events: int = Field(description="Events of the figure's source types counted so far (all years).")
    event_types: list[str] = Field(description="The event types the figure is built from.")


class TableOut(BaseModel):
    metric: str = Field(examples=["concern.recorded"])
    label: str = Field(examples=["Erfasste Anliegen"])
    year: int = Field(examples=[2026])
    time: str = Field(examples=["quartal"])
    place: str = Field(examples=["quarter"])
    detail_label: str | None = Field(None, description="What the details are (Zugangsweg, Art der Hilfe), if asked.")
    freshness: Freshness | None = Field(None, description="Up to which event the table reaches.")
    protection: Protection
    rows: list[TableRow]
