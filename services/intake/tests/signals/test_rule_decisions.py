"""When the early-warning rules consider a concern unanswered: plain decisions on dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qn_intake.city import DEFAULT_POLICY
from qn_intake.signals.domain import contact_lapsed, discharge_unanswered

pytestmark = pytest.mark.unit

RECORDED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_a_discharge_notice_is_unanswered_only_once_48_hours_passed_without_any_contact() -> None:
    assert not discharge_unanswered(RECORDED, [None], DEFAULT_POLICY, RECORDED + timedelta(hours=47, minutes=59))
    assert discharge_unanswered(RECORDED, [None, None], DEFAULT_POLICY, RECORDED + timedelta(hours=48))
    assert not discharge_unanswered(
        RECORDED, [RECORDED + timedelta(hours=3)], DEFAULT_POLICY, RECORDED + timedelta(hours=50)
    )


def test_a_contact_before_the_notice_does_not_count_as_its_follow_up() -> None:
    assert discharge_unanswered(
        RECORDED, [RECORDED - timedelta(days=3)], DEFAULT_POLICY, RECORDED + timedelta(hours=49)
    )


def test_contact_lapses_after_no_contact_days_counted_from_the_latest_contact() -> None:
    days = timedelta(days=DEFAULT_POLICY.no_contact_days)
    assert not contact_lapsed(RECORDED, [None], DEFAULT_POLICY, RECORDED + days - timedelta(minutes=1))
    assert contact_lapsed(RECORDED, [None], DEFAULT_POLICY, RECORDED + days)
    later = RECORDED + timedelta(days=10)
    assert not contact_lapsed(RECORDED, [later, None], DEFAULT_POLICY, RECORDED + days)
    assert contact_lapsed(RECORDED, [RECORDED + timedelta(days=1), later], DEFAULT_POLICY, later + days)
