"""iCalendar feeds as a third-party calendar program reads them. The feeds are written with
`icalendar`; these tests parse them with `vobject`, a different parser, and expand the series
with its own RRULE handling."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import vobject
from dateutil.easter import easter

from .conftest import BERLIN, lunch_table

pytestmark = pytest.mark.integration


def read(scheduling, url: str):
    answer = scheduling.client.get(url)  # no token: calendar programs subscribe without one
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return vobject.readOne(answer.text)


def series(calendar) -> dict[str, list]:
    """The VEVENTs of a calendar by summary: the master of a series first, then its overrides."""
    found: dict[str, list] = {}
    for event in calendar.vevent_list:
        found.setdefault(event.summary.value.removeprefix("Entfällt: "), []).append(event)
    return found


def status(event) -> str | None:
    return event.contents["status"][0].value if "status" in event.contents else None


def starts_between(master, first: date, last: date) -> list[datetime]:
    start = datetime.combine(first, time.min, BERLIN)
    end = datetime.combine(last + timedelta(days=1), time.min, BERLIN)
    return list(master.getrruleset(addRDate=True).between(start, end, inc=True))


@pytest.fixture
def lunch(scheduling):
    assert scheduling.put_franztreff().status_code == 201
    today = scheduling.today()
    easter_monday = next(e + timedelta(days=1) for e in (easter(y) for y in (today.year, today.year + 1)) if e > today)
    first = easter_monday - timedelta(days=14)
    while first <= today:
        first += timedelta(days=7)
    offer = scheduling.offer(lunch_table(first)).json()
    return scheduling, offer, first, easter_monday


def test_the_site_feed_carries_the_series_as_a_rule_in_berlin_time_without_the_holidays(lunch) -> None:
    scheduling, offer, first, easter_monday = lunch
    calendar = read(scheduling, "/feeds/sites/franztreff.ics")
    assert calendar.x_wr_calname.value == "Programm Franztreff"  # what a calendar program shows as its name
    assert [tz.tzid.value for tz in calendar.vtimezone_list] == ["Europe/Berlin"]
    (master,) = series(calendar)["Mittagstisch"]
    assert "BYDAY=MO,WE,FR" in master.rrule.value and "UNTIL=" in master.rrule.value
    assert master.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/Berlin"]  # vobject's note of the TZID
    starts = starts_between(master, first, first + timedelta(days=364))
    assert easter_monday not in {s.date() for s in starts}
    assert {(s.astimezone(BERLIN).hour, s.astimezone(BERLIN).minute) for s in starts} == {(11, 0)}
    assert {s.astimezone(BERLIN).utcoffset() for s in starts} == {timedelta(hours=1), timedelta(hours=2)}
    assert len(starts) == len(
        [
            o
            for o in scheduling.occurrences(offer["id"], first, first + timedelta(days=364))
            if o["status"] == "scheduled"
        ]
    )


def test_a_cancelled_occurrence_is_marked_and_a_moved_one_has_its_new_time(lunch) -> None:
    scheduling, offer, first, _ = lunch
    wednesday, friday = first + timedelta(days=2), first + timedelta(days=4)
    occurrences = scheduling.occurrences(offer["id"], first, friday)
    by_day = {datetime.fromisoformat(o["starts_at"]).date(): o for o in occurrences}
    scheduling.client.post(
        f"/occurrences/{by_day[wednesday]['id']}/cancel", json={"reason": "illness"}, headers=scheduling.coordinator()
    )
    thursday = first + timedelta(days=3)
    moved = scheduling.client.post(
        f"/occurrences/{by_day[friday]['id']}/move",
        json={
            "starts_at": datetime.combine(thursday, time(11), BERLIN).isoformat(),
            "ends_at": datetime.combine(thursday, time(13), BERLIN).isoformat(),
        },
        headers=scheduling.coordinator(),
    )
    assert moved.status_code == 200, moved.text
    events = series(read(scheduling, f"/feeds/offers/{offer['id']}.ics"))["Mittagstisch"]
    master, overrides = events[0], events[1:]
    assert "recurrence-id" not in master.contents
    cancelled = [e for e in overrides if status(e) == "CANCELLED"]
    assert len(cancelled) == 1 and cancelled[0].recurrence_id.value.date() == wednesday
    assert cancelled[0].uid.value == master.uid.value
    rescheduled = [e for e in overrides if status(e) is None]
    assert len(rescheduled) == 1
    assert rescheduled[0].recurrence_id.value.date() == friday and rescheduled[0].dtstart.value.date() == thursday


def test_carrier_and_room_feeds_hold_only_their_offers_and_never_a_single_booking(lunch) -> None:
    scheduling, _, first, _ = lunch
    scheduling.offer(
        lunch_table(
            first,
            title="Schuldnerberatung",
            kind="counselling",
            org_id="caritas-dessau",
            room_id="beratung-2",
            rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
            starts="09:00",
            ends="12:00",
        )
    )
    scheduling.book(
        "beratung-2", first + timedelta(days=2), "10:00", "11:00", title="Einzeltermin", org_id="caritas-dessau"
    )
    caritas = series(read(scheduling, "/feeds/carriers/caritas-dessau.ics"))
    assert set(caritas) == {"Schuldnerberatung"}
    assert "BYDAY=1TU" in caritas["Schuldnerberatung"][0].rrule.value
    room_feed = read(scheduling, "/feeds/sites/franztreff/rooms/gruppenraum.ics")
    assert room_feed.x_wr_calname.value == "Franztreff – Gruppenraum"
    room = series(room_feed)
    assert set(room) == {"Mittagstisch"}
    whole = read(scheduling, "/feeds/sites/franztreff.ics")
    assert set(series(whole)) == {"Mittagstisch", "Schuldnerberatung"}
    assert "Einzeltermin" not in whole.serialize()
    empty = read(scheduling, "/feeds/carriers/awo-dessau.ics")
    assert "vevent" not in empty.contents
    assert scheduling.client.get("/feeds/offers/6f5e4d3c-2b1a-4f0e-8d9c-7b6a5f4e3d2c.ics").status_code == 404
