"""Rotating counsellors re-confirm each occurrence N days before, or the room goes to whoever
waits for it -- and residents see the cancellation in the programme and their calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qn_scheduling.offers.reconfirmation import release_unconfirmed
from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import at, lunch_table, problem_field

pytestmark = pytest.mark.integration


@pytest.fixture
def counselling(scheduling):
    assert scheduling.put_franztreff().status_code == 201
    monday = scheduling.quiet_monday()
    tuesday = monday + timedelta(days=1)
    body = lunch_table(
        monday, title="Schuldnerberatung", kind="counselling", org_id="caritas-dessau", room_id="beratung-2",
        topics=["schulden"], starts="09:00", ends="12:00", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3", reconfirm_days=7,
    )  # fmt: skip
    offer = scheduling.offer(body, headers=scheduling.carrier()).json()
    assert offer["reconfirm_days"] == 7
    first, second, _ = scheduling.occurrences(offer["id"], tuesday, tuesday + timedelta(days=14))
    return scheduling, offer, tuesday, first, second


def release(scheduling) -> int:
    app = scheduling.client.app
    return release_unconfirmed(
        uow=app.state.runtime.unit_of_work(), ctx=app.state.scheduling, now=scheduling.clock.now()
    )


def test_a_counsellor_who_does_not_reconfirm_loses_the_room_to_the_waitlist(counselling) -> None:
    scheduling, offer, tuesday, first, second = counselling
    awo = scheduling.carrier("awo-dessau")
    waiting = scheduling.client.post(
        "/sites/franztreff/rooms/beratung-2/waitlist",
        json={"starts_at": at(tuesday, "09:00"), "ends_at": at(tuesday, "11:00"), "title": "Familienberatung AWO"},
        headers=awo,
    )
    assert waiting.status_code == 201 and waiting.json()["status"] == "waiting", waiting.text
    confirmed = scheduling.client.post(f"/occurrences/{second['id']}/confirm", headers=scheduling.carrier())
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]

    # six days before the first Tuesday its re-confirmation is overdue (asked for seven days before)
    six_days_before = datetime.fromisoformat(first["starts_at"]) - timedelta(days=6)
    scheduling.clock.advance(six_days_before - scheduling.clock.now())
    assert release(scheduling) == 1
    assert release(scheduling) == 0  # nothing more to release
    # a week later the second, confirmed, keeps its room
    scheduling.clock.advance(timedelta(days=7))
    assert release(scheduling) == 0

    listed = {o["id"]: o for o in scheduling.occurrences(offer["id"], tuesday, tuesday + timedelta(days=14))}
    assert (listed[first["id"]]["status"], listed[first["id"]]["reason"]) == ("cancelled", "not_reconfirmed")
    assert listed[second["id"]]["status"] == "scheduled"
    bookings = scheduling.client.get(
        "/sites/franztreff/bookings", params={"from": str(tuesday), "to": str(tuesday), "room_id": "beratung-2"},
        headers=scheduling.coordinator(),
    ).json()  # fmt: skip
    assert [(b["title"], b["org_id"]) for b in bookings] == [("Familienberatung AWO", "awo-dessau")]

    events = eventually(
        lambda: [m.body for m in read_stream(scheduling.nats_url, "QN_SCHEDULING")
                 if m.headers["ce-type"] == "qn.scheduling.booking.cancelled.v1"
                 and m.body.get("reason") == "not_reconfirmed"],
        what="the release as BookingCancelled",
    )  # fmt: skip
    assert events[0]["offer_id"] == offer["id"] and events[0]["quarter_id"] == "innenstadt-sued"
    year, week, _ = tuesday.isocalendar()
    page = scheduling.client.get("/sites/franztreff/programme", params={"week": f"{year}-W{week:02d}"}).text
    assert "entfällt" in page and "Schuldnerberatung" in page
    feed = scheduling.client.get(f"/feeds/offers/{offer['id']}.ics").text
    assert "STATUS:CANCELLED" in feed


def test_waiting_for_a_free_room_is_refused_and_a_carrier_confirms_only_its_own(counselling) -> None:
    scheduling, _, tuesday, first, _ = counselling
    free = scheduling.client.post(
        "/sites/franztreff/rooms/beratung-2/waitlist",
        json={"starts_at": at(tuesday, "14:00"), "ends_at": at(tuesday, "15:00"), "title": "Gruppe"},
        headers=scheduling.coordinator(),
    )
    assert free.status_code == 422 and problem_field(free) == "starts_at"
    other = scheduling.client.post(f"/occurrences/{first['id']}/confirm", headers=scheduling.carrier("awo-dessau"))
    assert other.status_code == 403
