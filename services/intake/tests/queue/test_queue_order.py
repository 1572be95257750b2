"""The queue's order as plain rules: late first, then urgency, then due date; ties broken by kind
and id so pages never overlap."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from qn_contracts.vocabulary import Urgency
from qn_intake.city import DEFAULT_POLICY
from qn_intake.queue.domain import QueueItem, QueueKind, most_urgent, urgency_of_deadline

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def item(kind: QueueKind, urgency: Urgency, due_in_days: float, escalated: bool = False) -> QueueItem:
    return QueueItem(
        kind=kind,
        id=uuid.uuid4(),
        concern_id=None,
        quarter_id="q",
        topics=(),
        urgency=urgency,
        status="open",
        due_at=NOW + timedelta(days=due_in_days),
        escalated=escalated,
        label_de="",
        label_en="",
    )


def test_late_items_come_first_then_urgency_then_due_date() -> None:
    overdue_plannable = item(QueueKind.CONCERN, Urgency.PLANNABLE, -1)
    escalated_soon = item(QueueKind.FOLLOW_UP, Urgency.SOON, 1, escalated=True)
    immediate_late_due = item(QueueKind.CONCERN, Urgency.IMMEDIATE, 2)
    immediate_early_due = item(QueueKind.REFERRAL, Urgency.IMMEDIATE, 1)
    soon = item(QueueKind.CONCERN, Urgency.SOON, 0.5)
    shuffled = [soon, immediate_late_due, escalated_soon, immediate_early_due, overdue_plannable]

    ordered = sorted(shuffled, key=lambda i: i.sort_key(NOW))

    # among the late ones, too, the more urgent goes first
    assert ordered == [escalated_soon, overdue_plannable, immediate_early_due, immediate_late_due, soon]


def test_a_follow_ups_urgency_follows_its_deadline_and_its_concern() -> None:
    assert urgency_of_deadline(DEFAULT_POLICY, 1) == Urgency.IMMEDIATE  # immediate referrals: 1 day
    assert urgency_of_deadline(DEFAULT_POLICY, 3) == Urgency.SOON
    assert urgency_of_deadline(DEFAULT_POLICY, 30) == Urgency.PLANNABLE
    assert most_urgent(Urgency.PLANNABLE, Urgency.SOON) == Urgency.SOON
    assert most_urgent(None, Urgency.PLANNABLE) == Urgency.PLANNABLE
