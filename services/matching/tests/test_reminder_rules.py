"""When a reminder is due, as plain rules on instants and days (no service, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qn_matching.notifications import texts
from qn_matching.notifications.reminders import (
    MAX_ATTEMPTS,
    ReminderKind,
    ReminderStatus,
    Timings,
    To,
    hours_waiting_too_long,
    proposal_expires_soon,
    reminder_key,
    status_after_failure,
    task_starts_soon,
    vetting_due_soon,
)

pytestmark = pytest.mark.unit

TIMINGS = Timings(
    task_before=timedelta(hours=24),
    proposal_before=timedelta(hours=2),
    vetting_before=timedelta(days=42),
    hours_after=timedelta(days=7),
)
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def test_a_task_is_reminded_of_within_the_lead_time_and_not_once_it_has_begun() -> None:
    assert task_starts_soon(NOW + timedelta(hours=24), NOW, TIMINGS)
    assert not task_starts_soon(NOW + timedelta(hours=24, seconds=1), NOW, TIMINGS)
    assert not task_starts_soon(NOW, NOW, TIMINGS)


def test_a_proposal_is_reminded_of_shortly_before_it_times_out() -> None:
    proposed = NOW - timedelta(hours=46)
    expires = proposed + timedelta(hours=48)
    assert not proposal_expires_soon(proposed, expires, expires - timedelta(hours=2, seconds=1), TIMINGS)
    assert proposal_expires_soon(proposed, expires, expires - timedelta(hours=2), TIMINGS)
    assert not proposal_expires_soon(proposed, expires, expires, TIMINGS)


def test_a_proposal_with_less_time_to_answer_than_the_lead_gets_no_reminder() -> None:
    # an immediate request with an hour to answer: a reminder would only repeat the proposal
    assert not proposal_expires_soon(NOW, NOW + timedelta(hours=1), NOW + timedelta(minutes=30), TIMINGS)


def test_a_certificate_is_reminded_of_six_weeks_ahead_and_also_when_already_due() -> None:
    recheck = date(2027, 1, 19)
    assert not vetting_due_soon(recheck, recheck - timedelta(days=43), TIMINGS)
    assert vetting_due_soon(recheck, recheck - timedelta(days=42), TIMINGS)
    assert vetting_due_soon(recheck, recheck + timedelta(days=3), TIMINGS)


def test_hours_are_reminded_of_once_they_waited_seven_days() -> None:
    assert not hours_waiting_too_long(NOW - timedelta(days=7) + timedelta(seconds=1), NOW, TIMINGS)
    assert hours_waiting_too_long(NOW - timedelta(days=7), NOW, TIMINGS)


def test_a_moved_appointment_is_a_new_reminder() -> None:
    first = reminder_key(ReminderKind.TASK_STARTS, To.VOLUNTEER, "m1", NOW.isoformat())
    moved = reminder_key(ReminderKind.TASK_STARTS, To.VOLUNTEER, "m1", (NOW + timedelta(hours=3)).isoformat())
    assert first != moved and first.startswith("task_starts:volunteer:m1:")


def test_a_reminder_the_channel_keeps_refusing_is_given_up() -> None:
    assert status_after_failure(1) is ReminderStatus.FAILED
    assert status_after_failure(MAX_ATTEMPTS) is ReminderStatus.GAVE_UP


def test_a_volunteers_task_reminder_names_kind_quarter_and_time_in_both_languages() -> None:
    message = texts.task_starts(
        "shopping", "Ziebigk", datetime(2026, 12, 8, 9, 0, tzinfo=UTC), None, ZoneInfo("Europe/Berlin")
    )
    assert "Einkaufen in Ziebigk, Di 08.12.2026, 10:00 Uhr" in message.body_de
    assert "Shopping in Ziebigk, Tue 08 Dec 2026, 10:00" in message.body_en
