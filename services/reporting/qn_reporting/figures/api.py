"""HTTP routes for figures: translate, call a handler, translate back. Who may call each route,
and what they see, is in `..access`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from qn_infra.auth import Principal
from qn_infra.http import language

from ..access import POLICY
from . import domain, handlers
from .catalogue import COUNTS, SUMS, Kind, Metric
from .schemas import CatalogueOut, CountRow, CountsOut, MetricOut, SumRow, SumsOut

router = APIRouter(tags=["figures"])


def _metric(known: list[str]) -> Any:
    """The metric parameter: one of the metrics the catalogue knows, listed in the schema and in
    the 422 of any other value. An event type these contracts do not know is never a metric."""
    allowed = ", ".join(f"'{name}'" for name in known)

    def check(value: str) -> str:
        if value in known:
            return value
        raise PydanticCustomError("enum", "Input should be {expected}", {"expected": allowed})

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "enum": known})]


CountMetric = _metric(sorted(COUNTS))
SumMetric = _metric(sorted(SUMS))
METRIC = "Metric, see GET /metrics-catalogue."
MONTH = r"^([0-9]{4}-(0[1-9]|1[0-2]))?$"
DIMENSION = "(" + "|".join(domain.DIMENSIONS) + ")"

FromParam = Annotated[
    str | None, Query(alias="from", pattern=MONTH, description="First month, YYYY-MM (default: no limit).")
]
ToParam = Annotated[
    str | None,
    Query(pattern=MONTH, description="Last month, YYYY-MM, inclusive, not before `from` (default: no limit)."),
]
QuarterParam = Annotated[
    str | None, Query(pattern=r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})?$", description="Only this quarter.")
]
TopicParam = Annotated[
    str | None,
    Query(pattern=r"^(\*|[a-z][a-z0-9_]{0,63})?$", description="Only this topic code; '*' for totals over all topics."),
]
GroupParam = Annotated[
    str | None,
    Query(
        pattern=rf"^ *({DIMENSION} *(, *{DIMENSION} *)*)?$",
        description="Comma-separated: month, quarter_id, topic (default: all three; empty: one total row).",
    ),
]


def _figures(kind: Kind, request: Request, **params: str | None) -> handlers.Figures:
    query = domain.parse_query(kind, **params)
    return handlers.get_figures(query, uow=request.app.state.runtime.unit_of_work())


def _filters(figures: handlers.Figures) -> dict[str, object]:
    q = figures.query
    return {
        "metric": q.metric,
        "from": q.first_month,
        "to": q.last_month,
        "quarter_id": q.quarter_id,
        "topic": q.topic,
        "group_by": list(q.group_by),
    }


@router.get("/counts", response_model=CountsOut, summary="Counts of events per month, quarter and topic")
def get_counts(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /counts")],
    metric: Annotated[CountMetric, Query(description=METRIC, examples=["concern.recorded"])],
    first: FromParam = None,
    to: ToParam = None,
    quarter_id: QuarterParam = None,
    topic: TopicParam = None,
    group_by: GroupParam = None,
) -> CountsOut:
    figures = _figures(
        "count",
        request,
        metric=metric,
        first_month=first,
        last_month=to,
        quarter_id=quarter_id,
        topic=topic,
        group_by=group_by,
    )
    rows = [CountRow(month=r.month, quarter_id=r.quarter_id, topic=r.topic, count=r.value) for r in figures.rows]
    return CountsOut.model_validate({**_filters(figures), "rows": rows, "total": figures.total})


@router.get("/sums", response_model=SumsOut, summary="Sums of a measure (hours, attendance) per month, quarter, topic")
def get_sums(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /sums")],
    metric: Annotated[SumMetric, Query(description=METRIC, examples=["assignment.completed.hours"])],
    first: FromParam = None,
    to: ToParam = None,
    quarter_id: QuarterParam = None,
    topic: TopicParam = None,
    group_by: GroupParam = None,
) -> SumsOut:
    figures = _figures(
        "sum",
        request,
        metric=metric,
        first_month=first,
        last_month=to,
        quarter_id=quarter_id,
        topic=topic,
        group_by=group_by,
    )
    rows = [SumRow(month=r.month, quarter_id=r.quarter_id, topic=r.topic, value=r.value / 100) for r in figures.rows]
    unit = SUMS[figures.query.metric].unit
    return SumsOut.model_validate({**_filters(figures), "unit": unit, "rows": rows, "total": figures.total / 100})


def _metric_out(metric: Metric, lang: str) -> MetricOut:
    return MetricOut(
        metric=metric.key,
        kind=metric.kind,
        label=metric.label(lang),
        label_de=metric.label_de,
        label_en=metric.label_en,
        unit=metric.unit,
        producer=metric.producer,
        event_type=metric.event_type,
        dimensions=list(metric.dimensions),
    )


@router.get("/metrics-catalogue", response_model=CatalogueOut, summary="The metrics known so far, with labels")
def get_metrics_catalogue(
    request: Request, _: Annotated[Principal, POLICY.guard("GET /metrics-catalogue")]
) -> CatalogueOut:
    catalogue = handlers.get_catalogue()
    lang = language(request)
    return CatalogueOut(metrics=[_metric_out(m, lang) for m in (*catalogue.counts, *catalogue.sums)])
