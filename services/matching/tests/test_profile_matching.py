"""What a volunteer's profile does to the proposals they get: reach beyond their own quarter, the
police-certificate check that some kinds of help need, and their cap on open tasks."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.integration

BERLIN = ZoneInfo("Europe/Berlin")


def asked(matching, **event_fields: object) -> str | None:
    """The volunteer id a new help request is proposed to first, or None if nobody is asked."""
    event = matching.help_requested(**event_fields)
    matching.publish(event)
    matches = matching.help_request(event.help_request_id)["matches"]
    return matches[0]["volunteer_id"] if matches else None


def test_a_volunteer_next_door_is_asked_when_their_reach_takes_in_the_quarter(matching) -> None:
    stays_home = matching.register("Olaf B.", quarter_id="innenstadt-mitte")
    assert asked(matching) is None  # the request is in Innenstadt Süd
    next_door = matching.register("Aylin T.", quarter_id="innenstadt-mitte", reach="neighbours")
    assert asked(matching) == next_door["id"]
    assert next_door["reach"] == "neighbours" and stays_home["reach"] == "own_quarter"
    # Roßlau is 6.9 km from Innenstadt Süd: a reach of 5 km does not take it in, 8 km does
    far = matching.register("Dmitri S.", quarter_id="rosslau", reach="distance", reach_km=5)
    assert asked(matching, quarter_id="rosslau") == far["id"]
    matching.client.patch(
        f"/volunteers/{far['id']}", json={"reach": "distance", "reach_km": 8}, headers=matching.coordinator()
    )
    matching.client.post(
        f"/volunteers/{next_door['id']}/status", json={"status": "paused"}, headers=matching.coordinator()
    )
    assert asked(matching) == far["id"]


def test_a_distance_reach_names_its_kilometres_within_the_limit(matching) -> None:
    for overrides in ({"reach": "distance"}, {"reach": "distance", "reach_km": 50}, {"reach_km": 3}):
        response = matching.client.post(
            "/volunteers", json=matching.body("Olaf B.", **overrides), headers=matching.coordinator()
        )
        assert response.status_code == 422, (overrides, response.text)
        assert response.json()["errors"][0]["field"] == "reach_km"


def test_reading_aloud_goes_only_to_a_volunteer_whose_police_certificate_was_seen_and_is_not_due(matching) -> None:
    reader = matching.register("Renate K.", skills=["reading", "shopping"])
    reading = {"help_kind": "reading", "skills": ["reading"]}
    assert asked(matching, **reading) is None
    assert asked(matching) == reader["id"]  # shopping needs no check

    today = matching.clock.now().astimezone(BERLIN).date()
    seen = matching.client.post(
        f"/volunteers/{reader['id']}/vetting",
        json={"certificate_date": (today - timedelta(days=10)).isoformat(), "no_relevant_entry": True},
        headers=matching.coordinator(subject="anna"),
    )
    assert seen.status_code == 200, seen.text
    vetting = seen.json()["vetting"]
    assert vetting["inspected_by"] == "anna" and vetting["no_relevant_entry"] is True
    assert vetting["recheck_on"] == (today - timedelta(days=10)).replace(year=today.year + 5).isoformat()
    assert asked(matching, **reading) == reader["id"]

    due = matching.client.get(
        "/volunteers", params={"vetting_due_by": vetting["recheck_on"]}, headers=matching.coordinator()
    )
    assert [v["id"] for v in due.json()] == [reader["id"]]
    not_a_day = matching.client.get("/volunteers", params={"vetting_due_by": "0.0"}, headers=matching.coordinator())
    assert not_a_day.status_code == 422 and "vetting_due_by" in not_a_day.text, not_a_day.text
    matching.clock.advance(days=5 * 366)
    assert asked(matching, **reading) is None  # the check is due again


def test_only_the_date_and_outcome_of_a_certificate_are_kept_never_its_content(matching) -> None:
    reader = matching.register("Renate K.", skills=["reading"])
    today = matching.clock.now().astimezone(BERLIN).date()
    with_content = matching.client.post(
        f"/volunteers/{reader['id']}/vetting",
        json={"certificate_date": today.isoformat(), "no_relevant_entry": True, "entries": "keine Eintragung"},
        headers=matching.coordinator(),
    )
    future = matching.client.post(
        f"/volunteers/{reader['id']}/vetting",
        json={"certificate_date": (today + timedelta(days=1)).isoformat(), "no_relevant_entry": True},
        headers=matching.coordinator(),
    )
    as_volunteer = matching.client.post(
        f"/volunteers/{reader['id']}/vetting",
        json={"certificate_date": today.isoformat(), "no_relevant_entry": True},
        headers=matching.volunteer("renate.k"),
    )
    assert with_content.status_code == 422 and with_content.json()["errors"][0]["field"] == "entries"
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "certificate_date"
    assert as_volunteer.status_code == 403


def test_a_volunteer_at_their_cap_is_passed_over_for_the_next(matching) -> None:
    renate = matching.register("Renate K.", max_open_tasks=1)
    assert asked(matching) == renate["id"]
    assert asked(matching) is None  # Renate has one open proposal, her cap
    dmitri = matching.register("Dmitri S.")
    assert asked(matching) == dmitri["id"]
