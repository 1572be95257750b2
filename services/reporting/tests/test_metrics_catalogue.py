"""The catalogue of metrics against the installed contracts."""

from __future__ import annotations

import pytest

from qn_contracts import ALL_EVENTS
from qn_reporting.figures.catalogue import CONSUMED_EVENTS, COUNTS, LABELS, SUMS, metric_of

pytestmark = pytest.mark.unit


def test_every_event_of_intake_matching_and_scheduling_has_a_metric_labelled_in_german_and_english() -> None:
    consumed = [e for e in ALL_EVENTS if e.spec.producer in ("intake", "matching", "scheduling")]
    assert {metric_of(e.spec) for e in consumed} == set(COUNTS)
    unlabelled = [m for m in (*COUNTS, *SUMS) if m not in LABELS]
    assert unlabelled == [], "add German and English labels to LABELS"
    assert all(m.label_de and m.label_en and m.label_de != m.label_en for m in (*COUNTS.values(), *SUMS.values()))


def test_no_two_event_types_share_a_metric() -> None:
    assert len(COUNTS) == len(CONSUMED_EVENTS)


def test_reporting_does_not_count_its_own_events() -> None:
    assert "report.published" not in COUNTS


def test_concerns_are_broken_down_by_topic_and_bookings_by_quarter() -> None:
    assert COUNTS["concern.recorded"].dimensions == ("month", "quarter_id", "topic")
    assert COUNTS["booking.confirmed"].dimensions == ("month", "quarter_id")
    assert COUNTS["consent.withdrawn"].dimensions == ("month",)
    assert COUNTS["concern.recorded"].label_de == "Erfasste Anliegen"
