"""The rules of the statistics office: which aggregate cells an event adds to, and what a
question for figures may ask. No framework, no database: plain data in, decisions out.

- month: the calendar month of the event time (ce-time) in Europe/Berlin, where committees sit;
- quarter: the event's quarter, else its site's quarter, else '' (none);
- topic: one cell per topic code the event carries, plus one under '*' (all topics), so that
  the number of events is read from '*' and never double-counted; '*' alone without topics."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from qn_contracts import Event, EventMeta
from qn_infra.errors import Invalid

from .catalogue import COUNTS, MEASURES, SUMS, Kind, metric_of

BERLIN = ZoneInfo("Europe/Berlin")
ALL_TOPICS = "*"
NO_QUARTER = ""
DIMENSIONS = ("month", "quarter_id", "topic")


@dataclass(frozen=True, order=True)
class Cell:
    """The key of one aggregate: never anything that points at a person."""

    metric: str
    month: str
    quarter_id: str
    topic: str


@dataclass(frozen=True)
class Tally:
    """What one event adds: counts per cell, and sums in hundredths per cell."""

    counts: Mapping[Cell, int]
    sums: Mapping[Cell, int]


def month_of(moment: datetime) -> str:
    """`YYYY-MM` of a point in time, in Europe/Berlin (a time without offset is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN).strftime("%Y-%m")


def quarter_of(event: Event, site_quarter: str | None = None) -> str:
    """The event's own quarter, else the quarter of the site it names, else none."""
    own = getattr(event, "quarter_id", None)
    return str(own or site_quarter or NO_QUARTER)


def topics_of(event: Event) -> tuple[str, ...]:
    """'*' and every distinct topic code the event carries, in order."""
    return (ALL_TOPICS, *dict.fromkeys(getattr(event, "topics", None) or ()))


def hundredths(value: Decimal | int | float) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def tally(event: Event, meta: EventMeta, *, site_quarter: str | None = None) -> Tally:
    """The cells one event of a known type adds to."""
    month, quarter = month_of(meta.time), quarter_of(event, site_quarter)
    topics = topics_of(event)
    metric = metric_of(event.spec)
    counts = {Cell(metric, month, quarter, topic): 1 for topic in topics}
    sums: dict[Cell, int] = {}
    measure = MEASURES.get(type(event))
    if measure is not None:
        value = hundredths(getattr(event, measure.field))
        sums = {Cell(measure.metric, month, quarter, topic): value for topic in topics}
    return Tally(counts, sums)


class InvalidParameter(Invalid):
    code = "invalid_parameter"


@dataclass(frozen=True)
class FigureQuery:
    """A question for figures: one metric, an inclusive month range, optional filters, and the
    dimensions to break the figures down by (the others are added up)."""

    kind: Kind
    metric: str
    first_month: str | None = None
    last_month: str | None = None
    quarter_id: str | None = None
    topic: str | None = None
    group_by: tuple[str, ...] = DIMENSIONS

    @property
    def topic_filter(self) -> str | None:
        """The topic cells to read: the one asked for; all of them when broken down by topic;
        otherwise '*', so that an event with two topics is not counted twice."""
        if self.topic is not None:
            return self.topic
        return None if "topic" in self.group_by else ALL_TOPICS

    def total(self, rows: Iterable[tuple[str | None, int]]) -> int:
        """The number of events (or the sum) the rows describe, given as (topic, value) pairs:
        when every topic is listed, only the '*' rows hold each event exactly once."""
        if self.topic_filter is None:
            return sum(value for topic, value in rows if topic == ALL_TOPICS)
        return sum(value for _, value in rows)


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _invalid(field: str, de: str, en: str) -> InvalidParameter:
    return InvalidParameter(de, en, field=field)


def _month(field: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _MONTH.match(value):
        raise _invalid(
            field,
            f"'{field}' muss die Form JJJJ-MM haben (z. B. 2026-01), nicht '{value[:20]}'.",
            f"'{field}' must look like YYYY-MM (e.g. 2026-01), not '{value[:20]}'.",
        )
    return value


def _metric(kind: Kind, metric: str | None) -> str:
    known = COUNTS if kind == "count" else SUMS
    if metric and metric in known:
        return metric
    names = ", ".join(sorted(known))
    if not metric:
        what_de, what_en = "Bitte eine Kennzahl angeben", "Please name a metric"
    else:
        what_de, what_en = f"Kennzahl '{metric[:60]}' gibt es nicht", f"Unknown metric '{metric[:60]}'"
    raise _invalid("metric", f"{what_de}. Bekannt: {names}.", f"{what_en}. Known: {names}.")


def _group_by(value: str | None) -> tuple[str, ...]:
    if value is None:
        return DIMENSIONS
    wanted = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    wrong = [part for part in wanted if part not in DIMENSIONS]
    if wrong:
        raise _invalid(
            "group_by",
            f"Aufschlüsseln geht nur nach {', '.join(DIMENSIONS)}, nicht nach '{wrong[0][:30]}'.",
            f"Figures can be broken down by {', '.join(DIMENSIONS)} only, not by '{wrong[0][:30]}'.",
        )
    return wanted


def parse_query(
    kind: Kind,
    *,
    metric: str | None,
    first_month: str | None = None,
    last_month: str | None = None,
    quarter_id: str | None = None,
    topic: str | None = None,
    group_by: str | None = None,
) -> FigureQuery:
    """Checks a question for figures; raises `InvalidParameter` naming the parameter at fault."""
    checked_metric = _metric(kind, metric)
    first, last = _month("from", first_month), _month("to", last_month)
    if first and last and last < first:
        raise _invalid("to", f"'to' ({last}) liegt vor 'from' ({first}).", f"'to' ({last}) is before 'from' ({first}).")
    if quarter_id and not _QUARTER.match(quarter_id):
        raise _invalid("quarter_id", "Diese Quartierskennung ist ungültig.", "This is not a valid quarter id.")
    if topic and topic != ALL_TOPICS and not _TOPIC.match(topic):
        raise _invalid(
            "topic",
            "Ein Thema ist ein Code wie 'einsamkeit', oder '*' für alle.",
            "A topic is a code such as 'einsamkeit', or '*' for all.",
        )
    return FigureQuery(kind, checked_metric, first, last, quarter_id or None, topic or None, _group_by(group_by))
