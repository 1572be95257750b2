"""A referral nobody finished by its due date escalates: once, with an event, and first in the
team's view of what is overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qn_intake.referrals.handlers import escalate_overdue_referrals
from qn_testkit.waiting import eventually

from .conftest import DEBT, Loop

pytestmark = pytest.mark.integration


@pytest.mark.across_dates
def test_the_due_date_follows_the_citys_deadline_for_the_topic_and_urgency(loop: Loop) -> None:
    before = loop.intake.clock.now()
    debt = loop.client.get(f"/referrals/{loop.refer(DEBT, urgency='soon')}", headers=loop.carrier()).json()
    care = loop.record(topics=["pflege"], urgency="soon")["referrals"][0]
    due_debt = datetime.fromisoformat(debt["due_at"]) - before
    due_care = datetime.fromisoformat(care["due_at"]) - before
    assert timedelta(days=10) <= due_debt < timedelta(days=10, minutes=1)  # city.toml: schulden, soon = 10
    assert timedelta(days=3) <= due_care < timedelta(days=3, minutes=1)  # city.toml: pflege, soon = 3


@pytest.mark.across_dates
def test_an_overdue_referral_escalates_exactly_once_and_emits_referral_overdue(loop: Loop) -> None:
    overdue = loop.refer(DEBT)
    answered = loop.refer(DEBT)
    still_due = loop.refer(DEBT)
    past = loop.intake.clock.now() - timedelta(hours=1)
    loop.move_due_date(overdue, past)
    loop.move_due_date(answered, past)
    loop.status(answered, loop.carrier(), "rejected", reason="no_capacity")

    now = loop.intake.clock.now()
    assert escalate_overdue_referrals(loop.runtime.unit_of_work(), now) == 1
    assert escalate_overdue_referrals(loop.runtime.unit_of_work(), now + timedelta(minutes=1)) == 0

    seen = loop.client.get(f"/referrals/{overdue}", headers=loop.carrier()).json()
    assert seen["overdue"] is True and seen["escalated_at"] is not None
    listed = loop.client.get("/referrals?overdue=true", headers=loop.team()).json()["items"]
    assert [r["id"] for r in listed] == [overdue]
    not_overdue = {r["id"] for r in loop.client.get("/referrals?overdue=false", headers=loop.team()).json()["items"]}
    assert not_overdue == {answered, still_due}

    def escalations() -> list:  # type: ignore[type-arg]
        return loop.events("referral.overdue.v1")

    messages = eventually(escalations, what="ReferralOverdue on QN_INTAKE")
    assert [m.body["referral_id"] for m in messages] == [overdue]
    assert (messages[0].body["status"], messages[0].body["target_id"]) == ("requested", DEBT)
    assert messages[0].subject == f"qn.v1.intake.referral.overdue.{DEBT}"  # addressed to the carrier


def test_the_escalation_runs_every_minute_while_the_service_is_up(loop: Loop) -> None:
    jobs = {job.name: job.seconds for job in loop.runtime.jobs}
    assert jobs["referral-escalation"] == 60


def test_overdue_referrals_come_first_in_the_teams_queue(loop: Loop) -> None:
    on_time = loop.refer(DEBT)
    escalated = loop.refer(DEBT)
    long_overdue = loop.refer(DEBT)
    loop.refer(DEBT, address=None, quarter_id="ziebigk")  # another team's
    now = loop.intake.clock.now()
    loop.move_due_date(escalated, now - timedelta(hours=1))
    escalate_overdue_referrals(loop.runtime.unit_of_work(), now)
    loop.move_due_date(long_overdue, now - timedelta(days=2))

    queue = loop.client.get("/queue", params={"kind": "referral"}, headers=loop.team())
    assert queue.status_code == 200, queue.text
    items = queue.json()["items"]
    # late work first (escalated or merely overdue alike), the longest overdue at the top
    assert [item["id"] for item in items] == [long_overdue, escalated, on_time]
    assert [(item["overdue"], item["escalated"]) for item in items] == [(True, False), (True, True), (False, False)]
