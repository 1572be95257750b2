"""The scheduled early-warning rules: a discharge notice nobody followed up in 48 hours, and an open
concern nobody has been in contact with for 14 days (deploy/demo-city/city.toml). Each fires once
per concern. Contacts go through `POST /concerns/{id}/contacts`; only the recording time of a
concern is moved back in the database, since concerns are always recorded 'now'."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from .conftest import TEAM, Warnings, at

pytestmark = pytest.mark.integration


def test_a_discharge_notice_without_contact_for_48_hours_raises_a_signal_once_not_twice(warnings: Warnings) -> None:
    concern = warnings.record(channel="discharge_notice", topics=["pflege"])
    recorded = at(concern["recorded_at"])

    assert warnings.run_rules(recorded + timedelta(hours=47)) == []
    first = warnings.run_rules(recorded + timedelta(hours=48, minutes=1))
    again = warnings.run_rules(recorded + timedelta(hours=72))

    assert len(first) == 1 and again == []
    [signal] = warnings.signals_of(concern["id"])
    assert (signal["signal_type"], signal["raised_by"], signal["rule_id"]) == (
        "discharge_without_follow_up",
        "rule",
        "discharge-48h",
    )
    assert signal["team_id"] == TEAM
    due_in = at(signal["follow_up"]["due_at"]) - at(signal["raised_at"])
    assert due_in == timedelta(days=1)  # city.toml: discharge_without_follow_up = 1


def test_a_discharge_notice_followed_up_within_48_hours_raises_nothing(warnings: Warnings) -> None:
    concern = warnings.record(channel="discharge_notice", topics=["pflege"])
    warnings.contact(concern["id"])
    assert warnings.run_rules(at(concern["recorded_at"]) + timedelta(hours=49)) == []
    assert warnings.signals_of(concern["id"]) == []


@pytest.mark.across_dates
def test_an_open_concern_without_contact_for_14_days_raises_no_contact_and_a_contacted_one_does_not(
    warnings: Warnings,
) -> None:
    quiet, contacted, closed = warnings.record(), warnings.record(), warnings.record()
    for concern in (quiet, contacted, closed):
        warnings.recorded_days_ago(concern["id"], 20)
    warnings.contact(contacted["id"], at=warnings.intake.clock.now() - timedelta(days=2))
    closing = warnings.client.post(
        f"/concerns/{closed['id']}/close", json={"outcome": "resolved"}, headers=warnings.staff()
    )
    assert closing.status_code == 200, closing.text

    raised = warnings.run_rules(warnings.intake.clock.now())

    assert len(raised) == 1
    [signal] = warnings.signals_of(quiet["id"])
    assert (signal["signal_type"], signal["rule_id"]) == ("no_contact", "no-contact")
    assert warnings.signals_of(contacted["id"]) == [] and warnings.signals_of(closed["id"]) == []

    # 13 days on, the contacted concern has been quiet for 15 days too; the quiet one stays at one signal
    later = warnings.run_rules(warnings.intake.clock.now() + timedelta(days=13))
    assert len(later) == 1 and len(warnings.signals_of(contacted["id"])) == 1
    assert len(warnings.signals_of(quiet["id"])) == 1


def test_a_follow_up_that_reached_the_person_counts_as_contact(warnings: Warnings) -> None:
    concern = warnings.record()
    signal = warnings.raise_signal(signal_type="loneliness", concern_id=concern["id"])
    warnings.recorded_days_ago(concern["id"], 20)
    assert warnings.done(signal["follow_up"]["id"], "contacted").status_code == 200
    assert warnings.run_rules(warnings.intake.clock.now()) == []


def test_two_replicas_running_the_rules_at_once_raise_each_signal_once(warnings: Warnings) -> None:
    concerns = [warnings.record(channel="discharge_notice", topics=["pflege"]) for _ in range(3)]
    now = max(at(c["recorded_at"]) for c in concerns) + timedelta(hours=49)
    results: list[object] = []

    def replica() -> None:
        try:
            results.append(len(warnings.run_rules(now)))
        except Exception as exc:  # noqa: BLE001 -- the assertion below names what went wrong
            results.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(results) == 2, "both replicas finished their run"
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3  # type: ignore[arg-type]
    assert all(len(warnings.signals_of(c["id"])) == 1 for c in concerns)


def test_the_rules_run_on_the_schedule_the_city_configured(warnings: Warnings) -> None:
    jobs = {job.name: job.seconds for job in warnings.runtime.jobs}
    assert jobs["signal-rules"] == 15 * 60  # city.toml: check_every_minutes = 15
    assert jobs["follow-up-escalation"] == 15 * 60
