"""What a question for figures may ask, and how totals avoid counting an event twice."""

from __future__ import annotations

import pytest

from qn_infra.errors import Invalid
from qn_reporting.figures.domain import parse_query

pytestmark = pytest.mark.unit


def field_of(**params: str | None) -> str | None:
    with pytest.raises(Invalid) as raised:
        parse_query("count", **{"metric": "concern.recorded", **params})  # type: ignore[arg-type]
    return raised.value.field


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-01", "2026-01-05", "Januar"])
def test_a_month_must_look_like_year_dash_month(value: str) -> None:
    assert field_of(first_month=value) == "from"
    assert field_of(last_month=value) == "to"


def test_a_range_that_ends_before_it_starts_is_refused_naming_to() -> None:
    assert field_of(first_month="2026-06", last_month="2026-05") == "to"


def test_figures_can_be_broken_down_by_month_quarter_and_topic_only() -> None:
    assert field_of(group_by="month,street") == "group_by"


def test_a_metric_must_be_named_and_known() -> None:
    assert field_of(metric=None) == "metric"
    assert field_of(metric="concern.invented") == "metric"
    with pytest.raises(Invalid) as raised:
        parse_query("sum", metric="concern.recorded")
    assert raised.value.field == "metric"
    assert "assignment.completed.hours" in raised.value.en


def test_a_topic_is_a_code_or_the_star() -> None:
    assert field_of(topic="Einsamkeit!") == "topic"
    assert parse_query("count", metric="concern.recorded", topic="*").topic == "*"


def test_by_default_figures_are_broken_down_by_month_quarter_and_topic_over_all_months() -> None:
    query = parse_query("count", metric="concern.recorded")
    assert query.group_by == ("month", "quarter_id", "topic")
    assert (query.first_month, query.last_month, query.quarter_id, query.topic) == (None, None, None, None)


def test_the_total_of_rows_per_topic_counts_each_event_once() -> None:
    per_topic = parse_query("count", metric="concern.recorded")
    # two concerns: one about einsamkeit and schulden, one about einsamkeit
    rows = [("*", 2), ("einsamkeit", 2), ("schulden", 1)]
    assert per_topic.total(rows) == 2
    one_topic = parse_query("count", metric="concern.recorded", topic="schulden")
    assert one_topic.total([("schulden", 1)]) == 1


def test_without_a_breakdown_by_topic_only_the_all_topics_cells_are_read() -> None:
    assert parse_query("count", metric="concern.recorded", group_by="month").topic_filter == "*"
    assert parse_query("count", metric="concern.recorded", group_by="month", topic="alter").topic_filter == "alter"
    assert parse_query("count", metric="concern.recorded").topic_filter is None
