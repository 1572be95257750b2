"""Carriers request rooms for their counselling hours and the site's coordinator decides -- as a
carrier, a coordinator and the city's team staff would use it; and a room freed by an ordinary
cancellation goes to whoever waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import holidays
import pytest

from qn_infra.clock import TickingClock
from qn_scheduling.app import create_app
from qn_scheduling.config import SchedulingSettings
from qn_testkit.days import reference_day
from qn_testkit.services import running_app
from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import DEMO_CITY, Scheduling, at, franztreff, lunch_table, problem_field, quiet_monday

pytestmark = pytest.mark.integration

RULES = {"horizon_days": 120, "carrier_hours_per_month": 10, "carriers_book_directly": False}


@pytest.fixture(scope="module")
def site(module_service_settings: Any, tokens: Any) -> Iterator[tuple[Scheduling, date]]:
    """One service shared by this module; each test works in its own week from the quiet Monday."""
    settings = module_service_settings(SchedulingSettings, city_dir=DEMO_CITY)
    clock = TickingClock(reference_day())
    with running_app(
        create_app(settings, clock=clock), migrations_of="scheduling", database_url=settings.database_url
    ) as client:
        scheduling = Scheduling(client, settings.nats_url, tokens, settings, clock)
        monday = scheduling.quiet_monday(weeks=8)
        closure = {"first_day": str(monday + timedelta(days=8)), "last_day": str(monday + timedelta(days=8))}
        put = scheduling.put_franztreff(booking_rules=RULES, closures=[{**closure, "reason": "Umbau"}])
        assert put.status_code == 201, put.text
        assert put.json()["booking_rules"] == RULES
        yield scheduling, monday


def ask(
    scheduling: Scheduling, room: str, day: date, start: str, end: str, headers: dict[str, str], **body: Any
) -> Any:
    payload = {"starts_at": at(day, start), "ends_at": at(day, end), "title": "Schuldnerberatung", **body}
    return scheduling.client.post(f"/sites/franztreff/rooms/{room}/requests", json=payload, headers=headers)


def events(scheduling: Scheduling, ce_type: str, **match: Any) -> list[Any]:
    def found() -> list[Any]:
        return [
            m for m in read_stream(scheduling.nats_url, "QN_SCHEDULING")
            if m.headers["ce-type"] == ce_type and all(m.body.get(k) == v for k, v in match.items())  # type: ignore[union-attr]
        ]  # fmt: skip

    return eventually(found, what=f"{ce_type} {match}")


def test_a_carrier_requests_a_series_and_the_coordinator_approves_it(site) -> None:
    scheduling, monday = site
    tuesday, caritas, awo = monday + timedelta(days=1), scheduling.carrier(), scheduling.carrier("awo-dessau")
    direct = scheduling.book("beratung-2", tuesday, "09:00", "11:00", headers=caritas)
    assert direct.status_code == 403 and direct.json()["code"] == "approval_required"
    series = lunch_table(tuesday, title="Schuldnerberatung", org_id="caritas-dessau", room_id="beratung-2",
                         rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3")  # fmt: skip
    own_offer = scheduling.offer(series, headers=caritas)
    assert own_offer.status_code == 403 and own_offer.json()["code"] == "approval_required"

    asked = ask(scheduling, "beratung-2", tuesday, "09:00", "11:00", caritas, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["org_id"], len(request["slots"])) == ("pending", "caritas-dessau", 2)
    assert request["skipped"] == [str(tuesday + timedelta(days=7))]  # closed for works that Tuesday

    assert scheduling.client.get(f"/requests/{request['id']}", headers=awo).status_code == 403
    assert scheduling.client.post(f"/requests/{request['id']}/withdraw", headers=awo).status_code == 403
    assert scheduling.client.post(f"/requests/{request['id']}/approve", headers=caritas).status_code == 403
    queue = scheduling.client.get("/sites/franztreff/requests", params={"status": "pending"}, headers=awo)
    assert queue.status_code == 200 and queue.json() == []

    approved = scheduling.client.post(f"/requests/{request['id']}/approve", headers=scheduling.coordinator())
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    assert len(approved.json()["booking_ids"]) == 2
    again = scheduling.client.post(f"/requests/{request['id']}/approve", headers=scheduling.coordinator())
    assert again.status_code == 409
    taken = scheduling.book("beratung-2", tuesday, "10:00", "11:00", headers=scheduling.coordinator())
    assert taken.status_code == 409 and "Schuldnerberatung" in taken.text

    requested = events(scheduling, "qn.scheduling.booking.requested.v1", request_id=request["id"])
    assert requested[0].subject == "qn.v1.scheduling.booking.requested.caritas-dessau"
    assert (requested[0].body["slots"], requested[0].body["quarter_id"]) == (2, "innenstadt-sued")
    confirmed = events(scheduling, "qn.scheduling.booking.confirmed.v1", request_id=request["id"])
    assert {m.subject for m in confirmed} == {"qn.v1.scheduling.booking.confirmed.caritas-dessau"}
    year, week, _ = tuesday.isocalendar()
    occupancy = events(
        scheduling, "qn.scheduling.room.occupancy_changed.v1", room_id="beratung-2", week=f"{year}-W{week:02d}"
    )
    assert (occupancy[-1].body["minutes_booked"], occupancy[-1].body["minutes_open"]) == (120, 5 * 8 * 60)


def test_the_coordinator_rejects_with_a_reason_and_the_note_stays_in_scheduling(site) -> None:
    scheduling, monday = site
    wednesday = monday + timedelta(days=16)
    asked = ask(scheduling, "beratung-2", wednesday, "09:00", "10:00", scheduling.carrier())
    assert asked.status_code == 201, asked.text
    note = "Feiertag – der Raum ist an diesem Tag für die Tafel reserviert"
    rejected = scheduling.client.post(
        f"/requests/{asked.json()['id']}/reject",
        json={"reason": "room_needed_otherwise", "note": note},
        headers=scheduling.coordinator(),
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["reason"], rejected.json()["note"]) == (
        "rejected", "room_needed_otherwise", note,
    )  # fmt: skip
    bad_reason = scheduling.client.post(
        f"/requests/{asked.json()['id']}/reject", json={"reason": "Feiertag"}, headers=scheduling.coordinator()
    )
    assert bad_reason.status_code == 422 and problem_field(bad_reason) == "reason"
    message = events(scheduling, "qn.scheduling.booking.rejected.v1", request_id=asked.json()["id"])[0]
    assert message.subject == "qn.v1.scheduling.booking.rejected.caritas-dessau"
    assert message.body["reason"] == "room_needed_otherwise" and message.body["quarter_id"] == "innenstadt-sued"
    assert "Tafel" not in str(message.body)
    withdrawn = scheduling.client.post(f"/requests/{asked.json()['id']}/withdraw", headers=scheduling.carrier())
    assert withdrawn.status_code == 409


def test_a_carrier_stays_within_the_horizon_and_its_quota_while_team_staff_book_for_anyone(site) -> None:
    scheduling, monday = site
    awo = scheduling.carrier("awo-dessau")
    far = ask(scheduling, "beratung-1", scheduling.today() + timedelta(days=121), "09:00", "10:00", awo)
    assert (
        far.status_code == 422 and far.json()["code"] == "beyond_booking_horizon" and problem_field(far) == "starts_at"
    )
    tuesday = monday + timedelta(days=22)
    # Tuesday and Wednesday 6 hours each are more than the 10 hours a month the site allows a carrier
    weeks = ask(scheduling, "beratung-1", tuesday, "09:00", "15:00", awo, rrule="FREQ=WEEKLY;BYDAY=TU,WE;COUNT=2")
    assert weeks.status_code == 409 and weeks.json()["code"] == "quota_exceeded", weeks.text
    # the city's team staff book directly, for any organisation, beyond quota and horizon
    team = scheduling.tokens.headers("team_staff", team="team-innenstadt")
    booked = scheduling.book("beratung-1", tuesday, "09:00", "16:00", headers=team, org_id="awo-dessau")
    assert booked.status_code == 201 and booked.json()["org_id"] == "awo-dessau", booked.text
    far_day = quiet_monday(scheduling.today() + timedelta(days=200), weeks=1) + timedelta(days=1)
    far_team = ask(scheduling, "beratung-1", far_day, "09:00", "10:00", team, org_id="awo-dessau")
    assert far_team.status_code == 201, far_team.text


def test_a_room_freed_by_an_ordinary_cancellation_goes_to_the_waitlist(site) -> None:
    scheduling, monday = site
    friday = monday + timedelta(days=32)
    held = scheduling.book("gruppenraum", friday, "10:00", "12:00", org_id="caritas-dessau")
    assert held.status_code == 201, held.text
    waiting = scheduling.client.post(
        "/sites/franztreff/rooms/gruppenraum/waitlist",
        json={"starts_at": at(friday, "10:00"), "ends_at": at(friday, "11:00"), "title": "Familienberatung AWO"},
        headers=scheduling.carrier("awo-dessau"),
    )
    assert waiting.status_code == 201 and waiting.json()["status"] == "waiting", waiting.text
    cancelled = scheduling.client.post(
        f"/bookings/{held.json()['id']}/cancel", json={"reason": "illness"}, headers=scheduling.carrier()
    )
    assert cancelled.status_code == 200, cancelled.text
    now_held = scheduling.client.get(
        "/sites/franztreff/bookings", params={"from": str(friday), "to": str(friday), "room_id": "gruppenraum"},
        headers=scheduling.coordinator(),
    ).json()  # fmt: skip
    assert [(b["title"], b["org_id"]) for b in now_held] == [("Familienberatung AWO", "awo-dessau")]


def _two_tuesdays_in_one_month(after: date) -> date:
    """A Tuesday after `after` whose next Tuesday falls in the same month, neither a holiday."""
    closed = holidays.country_holidays("DE", subdiv="ST", years=[after.year, after.year + 1])
    day = after + timedelta(days=(1 - after.weekday()) % 7 or 7)
    while day.day > 21 or day in closed or day + timedelta(days=7) in closed:
        day += timedelta(days=7)
    return day


def test_a_carriers_own_series_at_a_site_it_books_directly_keeps_to_horizon_and_quota(site) -> None:
    scheduling, _ = site
    direct = {"horizon_days": 60, "carrier_hours_per_month": 10, "carriers_book_directly": True}
    put = scheduling.client.put(
        "/sites/rosseltreff",
        json=franztreff(name="Rosseltreff", quarter_id="rosslau", carrier_id="awo-dessau", booking_rules=direct),
        headers=scheduling.coordinator(),
    )
    assert put.status_code == 201, put.text
    caritas = scheduling.carrier("caritas-dessau")
    tuesday = _two_tuesdays_in_one_month(scheduling.today() + timedelta(days=7))

    def series(**changes: Any) -> Any:
        body = {
            **lunch_table(tuesday, org_id="caritas-dessau", kind="counselling", title="Schuldnerberatung der Caritas"),
            "room_id": "beratung-1", "starts": "09:00", "ends": "13:00", "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=2",
            **changes,
        }  # fmt: skip
        return scheduling.client.post("/sites/rosseltreff/offers", json=body, headers=caritas)

    weekly = series(rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=20")  # twenty weeks reach past the 60 days
    assert weekly.status_code == 422 and weekly.json()["code"] == "beyond_booking_horizon", weekly.text
    assert problem_field(weekly) == "rrule"
    long_days = series(ends="16:00")  # two Tuesdays of seven hours in one month: 14 of 10 hours
    assert long_days.status_code == 409 and long_days.json()["code"] == "quota_exceeded", long_days.text
    assert problem_field(long_days) == "rrule"
    saved = series()  # two Tuesdays of four hours: 8 of 10
    assert saved.status_code == 201, saved.text
    # half an hour longer each time: 9 hours -- the series' own 8 hours are given back, not counted twice
    longer = scheduling.client.patch(
        f"/offers/{saved.json()['id']}", json={"scope": "series", "ends": "13:30"}, headers=caritas
    )
    assert longer.status_code == 200, longer.text
    too_long = scheduling.client.patch(
        f"/offers/{saved.json()['id']}", json={"scope": "series", "ends": "14:30"}, headers=caritas
    )
    assert too_long.status_code == 409 and too_long.json()["code"] == "quota_exceeded", too_long.text
    assert "Caritas" in too_long.json()["detail"]  # the carrier by its name, not its id
    # the city's staff plan a long series for a carrier: they are not bound
    team = scheduling.tokens.headers("team_staff", team="team-innenstadt")
    body = {
        **lunch_table(tuesday, org_id="caritas-dessau"),
        "room_id": "beratung-2",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=20",
    }
    planned = scheduling.client.post("/sites/rosseltreff/offers", json=body, headers=team)
    assert planned.status_code == 201, planned.text
    # nor is the AWO, which runs the Rosseltreff: its coordinator's hours are the site's own programme
    hours_of_the_site = {
        **lunch_table(tuesday, org_id="awo-dessau", kind="office_hours", title="Offene Sprechzeit"),
        "room_id": "buero", "starts": "09:00", "ends": "17:00", "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,TH,FR;COUNT=80",
    }  # fmt: skip
    own = scheduling.client.post(
        "/sites/rosseltreff/offers", json=hours_of_the_site, headers=scheduling.carrier("awo-dessau")
    )
    assert own.status_code == 201, own.text
    # the site closes at two on Tuesdays from now on: the booked weeks are announced with their new open minutes
    hours = [
        {"weekday": d, "opens": "09:00", "closes": "14:00" if d == "tu" else "17:00"}
        for d in ("mo", "tu", "we", "th", "fr")
    ]
    shorter = scheduling.client.put(
        "/sites/rosseltreff",
        json=franztreff(name="Rosseltreff", quarter_id="rosslau", carrier_id="awo-dessau", booking_rules=direct,
                        opening_hours=hours),
        headers=scheduling.coordinator(),
    )  # fmt: skip
    assert shorter.status_code == 200, shorter.text
    for day in (tuesday, tuesday + timedelta(days=7)):
        year, week, _ = day.isocalendar()
        figures = events(
            scheduling, "qn.scheduling.room.occupancy_changed.v1", site_id="rosseltreff", room_id="beratung-1",
            week=f"{year}-W{week:02d}", minutes_open=4 * 8 * 60 + 5 * 60,
        )  # fmt: skip
        assert figures[-1].body["minutes_booked"] == 4 * 60 + 30 and figures[-1].body["quarter_id"] == "rosslau"
