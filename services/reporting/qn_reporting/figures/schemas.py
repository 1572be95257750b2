"""What the figures API returns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Figures(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    metric: str = Field(description="The metric asked for.", examples=["concern.recorded"])
    from_: str | None = Field(None, alias="from", description="First month (YYYY-MM) or null.", examples=["2026-01"])
    to: str | None = Field(None, description="Last month (YYYY-MM), inclusive, or null for open.", examples=["2026-12"])
    quarter_id: str | None = Field(None, description="Quarter filter, if any.", examples=["innenstadt-sued"])
    topic: str | None = Field(None, description="Topic filter, if any ('*' = all topics).", examples=["einsamkeit"])
    group_by: list[str] = Field(description="Dimensions the rows are broken down by.", examples=[["month", "topic"]])


class CountRow(BaseModel):
    month: str | None = Field(description="YYYY-MM in Europe/Berlin; null when not grouped.", examples=["2026-11"])
    quarter_id: str | None = Field(description="Quarter; '' when the event had none; null when not grouped.")
    topic: str | None = Field(description="Topic code, or '*' for all topics; null when not grouped.", examples=["*"])
    count: int = Field(description="Number of events.", examples=[12])


class CountsOut(_Figures):
    rows: list[CountRow]
    total: int = Field(description="Number of events matching the filters, each counted once.", examples=[12])


class SumRow(BaseModel):
    month: str | None = Field(examples=["2026-11"])
    quarter_id: str | None = Field(examples=["innenstadt-sued"])
    topic: str | None = Field(examples=["*"])
    value: float = Field(description="Sum of the measure (two decimals).", examples=[37.5])


class SumsOut(_Figures):
    unit: str = Field(description="Unit of the measure.", examples=["hours"])
    rows: list[SumRow]
    total: float = Field(description="Sum over the filters, each event counted once.", examples=[37.5])


class MetricOut(BaseModel):
    metric: str = Field(examples=["concern.recorded"])
    kind: str = Field(description="'count' (GET /counts) or 'sum' (GET /sums).", examples=["count"])
    label: str = Field(description="Label after Accept-Language (German by default).", examples=["Erfasste Anliegen"])
    label_de: str = Field(examples=["Erfasste Anliegen"])
    label_en: str = Field(examples=["Concerns recorded"])
    unit: str = Field(examples=["events"])
    producer: str = Field(examples=["intake"])
    event_type: str = Field(examples=["qn.intake.concern.recorded.v1"])
    dimensions: list[str] = Field(examples=[["month", "quarter_id", "topic"]])


class CatalogueOut(BaseModel):
    metrics: list[MetricOut]
