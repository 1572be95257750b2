"""Offers as a coordinator plans them: a series by RFC 5545 rule in Berlin wall-clock time, its
occurrences and room bookings, and the refusals that name what is wrong."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import at, lunch_table, problem_field

pytestmark = pytest.mark.integration


@pytest.fixture
def site(scheduling):
    created = scheduling.put_franztreff()
    assert created.status_code == 201, created.text
    return scheduling


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def test_the_lunch_table_keeps_its_wall_clock_time_across_the_clock_change(site) -> None:
    monday = site.next_week("monday")
    offer = created(site.offer(lunch_table(monday)))
    occurrences = site.occurrences(offer["id"], monday, monday + timedelta(days=364))
    starts = [datetime.fromisoformat(o["starts_at"]) for o in occurrences if o["status"] == "scheduled"]
    assert {(s.hour, s.minute) for s in starts} == {(11, 0)}
    assert {s.weekday() for s in starts} == {0, 2, 4}
    # a year holds both changes: winter time (+01:00) and summer time (+02:00) occurrences
    assert {s.utcoffset() for s in starts} == {timedelta(hours=1), timedelta(hours=2)}
    assert all(datetime.fromisoformat(o["ends_at"]).hour == 13 for o in occurrences)


def test_each_occurrence_holds_its_room_so_a_single_booking_then_gets_409_naming_it(site) -> None:
    monday = site.quiet_monday()
    offer = created(site.offer(lunch_table(monday)))
    clash = site.book("gruppenraum", monday + timedelta(days=2), "12:00", "14:00")
    assert clash.status_code == 409
    assert clash.json()["conflicting_booking"]["title"] == "Mittagstisch"
    wednesday = site.occurrences(offer["id"], monday, monday + timedelta(days=2))[1]
    assert clash.json()["conflicting_booking"]["id"] == wednesday["booking_id"]


def test_booking_events_of_a_series_carry_the_offer_and_the_sites_quarter(site) -> None:
    monday = site.quiet_monday()
    offer = created(site.offer(lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3")))

    def confirmed() -> list:
        found = [
            m
            for m in read_stream(site.nats_url, "QN_SCHEDULING")
            if m.headers["ce-type"] == "qn.scheduling.booking.confirmed.v1" and m.body.get("offer_id") == offer["id"]
        ]
        return found if len(found) == 3 else []

    events = eventually(confirmed, what="three BookingConfirmed of the offer")
    assert {e.body["quarter_id"] for e in events} == {"innenstadt-sued"}
    published = eventually(
        lambda: [
            m
            for m in read_stream(site.nats_url, "QN_SCHEDULING")
            if m.body.get("offer_id") == offer["id"] and m.headers["ce-type"] == "qn.scheduling.offer.published.v1"
        ],
        what="OfferPublished",
    )
    assert published[0].body["rrule"] == "FREQ=WEEKLY;COUNT=3;BYDAY=MO"
    assert published[0].body["kind"] == "lunch_table"


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "rrule_without_end"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20000101", "rrule_without_occurrences"),
        ("FREQ=WEEKLY;COUNT=0", "rrule_without_occurrences"),
        ("FREQ=WEEKLY;BYDAY=XY;COUNT=3", "invalid_rrule"),
        ("FREQ=MINUTELY;COUNT=3", "invalid_rrule"),
    ],
)
def test_a_rule_without_end_or_without_occurrences_is_422_naming_the_rule(site, rule: str, code: str) -> None:
    refused = site.offer(lunch_table(site.next_week("monday"), rrule=rule))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code and problem_field(refused) == "rrule"


def test_a_series_that_never_ends_is_explained_in_german_and_english(site) -> None:
    body = lunch_table(site.next_week("monday"), rrule="FREQ=WEEKLY;BYDAY=MO")
    german = site.offer(body).json()
    english = site.offer(body, headers={**site.coordinator(), "Accept-Language": "en"}).json()
    assert "UNTIL" in german["detail"] and "Ende" in german["detail"]
    assert "needs an end" in english["detail"]


def test_a_room_the_site_lacks_a_time_outside_opening_hours_and_the_past_are_422_naming_the_field(site) -> None:
    monday = site.next_week("monday")
    no_room = site.offer(lunch_table(monday, room_id="sauna"))
    assert no_room.status_code == 422 and problem_field(no_room) == "room_id"
    evening = site.offer(lunch_table(monday, starts="17:00", ends="19:00"))
    assert evening.status_code == 422 and problem_field(evening) == "starts"
    saturday = site.offer(lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4"))
    assert saturday.status_code == 422 and saturday.json()["code"] == "outside_opening_hours"
    past = site.offer(lunch_table(site.today() - timedelta(days=7)))
    assert past.status_code == 422 and problem_field(past) == "first_day"
    backwards = site.offer(lunch_table(monday, starts="13:00", ends="11:00"))
    assert backwards.status_code == 422 and problem_field(backwards) == "ends"
    topic = site.offer(lunch_table(monday, topics=["astrologie"]))
    assert topic.status_code == 422 and problem_field(topic) == "topics.0"
    no_topic = site.offer(lunch_table(monday, topics=[]))  # was a 500: the event needs a topic
    assert no_topic.status_code == 422 and problem_field(no_topic) == "topics"


def test_saving_a_series_first_previews_what_collides_and_can_skip_those(site) -> None:
    monday = site.quiet_monday()
    wednesday = monday + timedelta(days=2)
    blocking = site.book("gruppenraum", wednesday, "10:00", "11:30", title="Seniorengymnastik").json()
    body = lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12")
    preview = site.client.post("/sites/franztreff/offers/preview", json=body, headers=site.coordinator())
    assert preview.status_code == 200, preview.text
    assert preview.json()["occurrences"] == 12
    assert preview.json()["summary"].startswith("1 von 12 Terminen kollidieren: ")
    assert "Seniorengymnastik" in preview.json()["summary"]
    assert preview.json()["collisions"][0]["booking"]["id"] == blocking["id"]

    refused = site.offer(body)
    assert refused.status_code == 409
    assert refused.json()["code"] == "series_collides"
    assert refused.json()["collisions"][0]["booking"]["id"] == blocking["id"]
    assert site.client.get("/sites/franztreff/offers", headers=site.coordinator()).json() == []

    offer = created(site.offer({**body, "skip_collisions": True}))
    listed = site.occurrences(offer["id"], monday, monday + timedelta(days=30))
    skipped = [o for o in listed if o["status"] == "skipped"]
    assert len(listed) == 12 and len(skipped) == 1
    assert skipped[0]["reason"] == "collision" and skipped[0]["booking_id"] is None
    assert datetime.fromisoformat(skipped[0]["starts_at"]).date() == wednesday


def test_a_series_collides_with_what_overlaps_it_and_not_with_what_only_touches_it(site) -> None:
    monday = site.quiet_monday()
    wednesday, friday = monday + timedelta(days=2), monday + timedelta(days=4)
    titles = {
        "Frühstück": (monday, "09:00", "11:00"),  # ends as the lunch table starts: no collision
        "Sprechstunde": (wednesday, "12:30", "14:00"),  # starts during it
        "Kaffeerunde": (friday, "13:00", "15:00"),  # starts as it ends: no collision
        "Chorprobe": (monday + timedelta(days=7), "10:00", "16:00"),  # around it, from earlier that day
        "Elterncafé": (monday + timedelta(days=8), "10:00", "16:00"),  # Tuesday: not a day of the series
    }
    for title, (day, start, end) in titles.items():
        assert site.book("gruppenraum", day, start, end, title=title).status_code == 201
    body = lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6")
    preview = site.client.post("/sites/franztreff/offers/preview", json=body, headers=site.coordinator())
    assert preview.status_code == 200, preview.text
    named = [c["booking"]["title"] for c in preview.json()["collisions"]]
    assert named == ["Sprechstunde", "Chorprobe"], preview.json()["summary"]


def test_a_carrier_sees_when_but_not_whose_booking_a_series_collides_with(site) -> None:
    monday = site.quiet_monday()
    site.book("gruppenraum", monday + timedelta(days=2), "10:00", "11:30", org_id="awo-dessau", title="AWO-Gruppe")
    body = lunch_table(monday, org_id="caritas-dessau", rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=2")
    refused = site.offer(body, headers=site.carrier())
    assert refused.status_code == 409
    assert "AWO-Gruppe" not in refused.text and "id" not in refused.json()["collisions"][0]["booking"]


def test_holidays_of_saxony_anhalt_are_skipped_and_named(scheduling) -> None:
    every_day = [
        {"weekday": d, "opens": "09:00", "closes": "17:00"} for d in ("mo", "tu", "we", "th", "fr", "sa", "su")
    ]
    assert scheduling.put_franztreff(opening_hours=every_day).status_code == 201
    first = scheduling.next_week("monday")
    body = lunch_table(first, rrule=f"FREQ=DAILY;UNTIL={first.year + 1}{first:%m%d}")
    offer = created(scheduling.offer(body))
    listed = scheduling.occurrences(offer["id"], first, first + timedelta(days=364))
    skipped = {o["label"] for o in listed if o["status"] == "skipped"}
    # Easter Monday and both Christmas days, and Epiphany, which Saxony-Anhalt keeps and Berlin does not
    assert {"Ostermontag", "Erster Weihnachtstag", "Zweiter Weihnachtstag", "Heilige Drei Könige"} <= skipped
    assert all(o["reason"] == "public_holiday" for o in listed if o["status"] == "skipped")
    christmas = [o for o in listed if datetime.fromisoformat(o["recurrence_id"]).strftime("%m-%d") == "12-25"]
    assert christmas[0]["status"] == "skipped" and christmas[0]["booking_id"] is None


def test_a_closure_skips_and_a_holiday_can_move_or_wait_for_approval(scheduling) -> None:
    monday = scheduling.quiet_monday()
    closure = {
        "first_day": (monday + timedelta(days=7)).isoformat(),
        "last_day": (monday + timedelta(days=13)).isoformat(),
        "reason": "Sommerpause",
    }
    assert scheduling.put_franztreff(closures=[closure]).status_code == 201
    skip = created(scheduling.offer(lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3")))
    listed = scheduling.occurrences(skip["id"], monday, monday + timedelta(days=21))
    assert [o["status"] for o in listed] == ["scheduled", "skipped", "scheduled"]
    assert listed[1]["label"] == "Sommerpause" and listed[1]["reason"] == "site_closed"

    moved = created(
        scheduling.offer(
            lunch_table(monday, room_id="beratung-1", rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2", on_holiday="move")
        )
    )
    listed = scheduling.occurrences(moved["id"], monday, monday + timedelta(days=30))
    # the closure lasts the whole second week: the next open day at the same time is the Monday after
    second = listed[1]
    assert second["moved"] and second["status"] == "scheduled"
    assert datetime.fromisoformat(second["starts_at"]).date() == monday + timedelta(days=14)

    kept = created(
        scheduling.offer(
            lunch_table(monday, room_id="beratung-2", rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2", on_holiday="keep")
        )
    )
    pending = [
        o
        for o in scheduling.occurrences(kept["id"], monday, monday + timedelta(days=30))
        if o["status"] == "pending_approval"
    ]
    assert len(pending) == 1 and pending[0]["booking_id"] is None
    carrier = scheduling.client.post(
        f"/occurrences/{pending[0]['id']}/approve", headers=scheduling.carrier("dessauer-tafel")
    )
    assert carrier.status_code == 403
    approved = scheduling.client.post(f"/occurrences/{pending[0]['id']}/approve", headers=scheduling.coordinator())
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "scheduled" and approved.json()["booking_id"]
    again = scheduling.client.post(f"/occurrences/{pending[0]['id']}/approve", headers=scheduling.coordinator())
    assert again.status_code == 409


def test_one_occurrence_is_cancelled_with_a_code_and_a_free_note_that_stays_out_of_the_event(site) -> None:
    monday = site.quiet_monday()
    offer = created(site.offer(lunch_table(monday)))
    wednesday = site.occurrences(offer["id"], monday, monday + timedelta(days=2))[1]
    cancelled = site.client.post(
        f"/occurrences/{wednesday['id']}/cancel",
        json={"reason": "other", "note": "Feiertag"},
        headers=site.coordinator(),
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["note"] == "Feiertag"
    just_a_note = site.occurrences(offer["id"], monday, monday + timedelta(days=5))[2]
    assert (
        site.client.post(
            f"/occurrences/{just_a_note['id']}/cancel", json={"note": "Feiertag"}, headers=site.coordinator()
        ).status_code
        == 200
    )
    # the room is free again for someone else
    assert site.book("gruppenraum", monday + timedelta(days=2), "11:00", "13:00").status_code == 201
    events = eventually(
        lambda: [
            m
            for m in read_stream(site.nats_url, "QN_SCHEDULING")
            if m.headers["ce-type"] == "qn.scheduling.booking.cancelled.v1" and m.body.get("offer_id") == offer["id"]
        ],
        what="BookingCancelled of the occurrence",
    )
    assert events[0].body["reason"] == "other" and events[0].body["quarter_id"] == "innenstadt-sued"
    assert datetime.fromisoformat(events[0].body["occurrence_start"]) == datetime.fromisoformat(wednesday["starts_at"])
    assert all("Feiertag" not in str(e.body) for e in events)
    twice = site.client.post(f"/occurrences/{wednesday['id']}/cancel", headers=site.coordinator())
    assert twice.status_code == 409
    published = [
        m
        for m in read_stream(site.nats_url, "QN_SCHEDULING")
        if m.body.get("offer_id") == offer["id"] and m.headers["ce-type"] == "qn.scheduling.offer.published.v1"
    ]
    assert (monday + timedelta(days=2)).isoformat() in published[-1].body["exdates"]


def test_one_occurrence_moves_to_a_free_time_and_not_onto_a_taken_one(site) -> None:
    monday = site.quiet_monday()
    tuesday = monday + timedelta(days=1)
    offer = created(site.offer(lunch_table(monday)))
    first = site.occurrences(offer["id"], monday, monday)[0]
    site.book("gruppenraum", tuesday, "09:00", "10:00", title="Frühstück")
    taken = site.client.post(
        f"/occurrences/{first['id']}/move",
        json={"starts_at": at(tuesday, "09:30"), "ends_at": at(tuesday, "11:30")},
        headers=site.coordinator(),
    )
    assert taken.status_code == 409 and taken.json()["conflicting_booking"]["title"] == "Frühstück"
    moved = site.client.post(
        f"/occurrences/{first['id']}/move",
        json={"starts_at": at(tuesday, "11:00"), "ends_at": at(tuesday, "13:00"), "reason": "room_unavailable"},
        headers=site.coordinator(),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["moved"] and datetime.fromisoformat(moved.json()["starts_at"]).date() == tuesday
    assert datetime.fromisoformat(moved.json()["recurrence_id"]).date() == monday
    assert site.book("gruppenraum", monday, "11:00", "13:00").status_code == 201  # Monday is free now
    assert site.book("gruppenraum", tuesday, "12:00", "12:30").status_code == 409


def test_editing_the_whole_series_moves_the_future_and_keeps_a_cancelled_occurrence_cancelled(site) -> None:
    monday = site.quiet_monday()
    offer = created(site.offer(lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=9")))
    listed = site.occurrences(offer["id"], monday, monday + timedelta(days=21))
    site.client.post(f"/occurrences/{listed[1]['id']}/cancel", json={"reason": "illness"}, headers=site.coordinator())
    edited = site.client.patch(
        f"/offers/{offer['id']}",
        json={"scope": "series", "starts": "12:00", "ends": "14:00", "title": "Mittagstisch der Tafel"},
        headers=site.coordinator(),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["starts"] == "12:00" and edited.json()["id"] == offer["id"]
    after = site.occurrences(offer["id"], monday, monday + timedelta(days=21))
    assert len(after) == 9
    assert after[1]["status"] == "cancelled"
    assert {datetime.fromisoformat(o["starts_at"]).hour for o in after if o["status"] == "scheduled"} == {12}
    bookings = site.client.get(
        "/sites/franztreff/bookings",
        params={"from": monday.isoformat(), "to": (monday + timedelta(days=21)).isoformat()},
        headers=site.coordinator(),
    ).json()
    assert len(bookings) == 8 and {b["title"] for b in bookings} == {"Mittagstisch der Tafel"}


def test_editing_this_and_all_following_splits_the_series(site) -> None:
    monday = site.quiet_monday()
    offer = created(site.offer(lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=6")))
    listed = site.occurrences(offer["id"], monday, monday + timedelta(days=42))
    edited = site.client.patch(
        f"/offers/{offer['id']}",
        json={
            "scope": "following",
            "occurrence_id": listed[3]["id"],
            "room_id": "beratung-1",
            "starts": "10:00",
            "ends": "12:00",
        },
        headers=site.coordinator(),
    )
    assert edited.status_code == 200, edited.text
    continued = edited.json()
    assert continued["id"] != offer["id"] and continued["continues_offer_id"] == offer["id"]
    assert continued["first_day"] == (monday + timedelta(days=21)).isoformat()
    assert "COUNT=3" in continued["rrule"]
    old = site.client.get(f"/offers/{offer['id']}", headers=site.coordinator()).json()
    assert "UNTIL=" in old["rrule"] and "COUNT" not in old["rrule"]
    before = site.occurrences(offer["id"], monday, monday + timedelta(days=42))
    after = site.occurrences(continued["id"], monday, monday + timedelta(days=42))
    assert len(before) == 3 and {o["room_id"] for o in before} == {"gruppenraum"}
    assert len(after) == 3 and {o["room_id"] for o in after} == {"beratung-1"}
    assert {datetime.fromisoformat(o["starts_at"]).hour for o in after} == {10}


def test_editing_one_occurrence_changes_only_that_one(site) -> None:
    monday = site.quiet_monday()
    offer = created(site.offer(lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3")))
    listed = site.occurrences(offer["id"], monday, monday + timedelta(days=21))
    edited = site.client.patch(
        f"/offers/{offer['id']}",
        json={
            "scope": "occurrence",
            "occurrence_id": listed[1]["id"],
            "starts": "14:00",
            "ends": "16:00",
            "note": "Feiertag",
        },
        headers=site.coordinator(),
    )
    assert edited.status_code == 200, edited.text
    hours = [
        datetime.fromisoformat(o["starts_at"]).hour
        for o in site.occurrences(offer["id"], monday, monday + timedelta(days=21))
    ]
    assert hours == [11, 14, 11]


def test_a_carrier_plans_only_its_own_organisations_offers(site) -> None:
    monday = site.quiet_monday()
    body = lunch_table(
        monday,
        title="Schuldnerberatung",
        kind="counselling",
        room_id="beratung-2",
        org_id="caritas-dessau",
        topics=["schulden"],
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
    )
    own = created(site.offer(body, headers=site.carrier()))
    assert own["org_id"] == "caritas-dessau"
    other = site.offer({**body, "org_id": "awo-dessau"}, headers=site.carrier())
    assert other.status_code == 403 and problem_field(other) == "org_id"
    tafel = created(site.offer(lunch_table(monday)))
    occurrence = site.occurrences(tafel["id"], monday, monday)[0]
    refused = site.client.post(f"/occurrences/{occurrence['id']}/cancel", headers=site.carrier())
    assert refused.status_code == 403
    not_theirs = site.client.patch(
        f"/offers/{tafel['id']}", json={"scope": "series", "title": "X"}, headers=site.carrier()
    )
    assert not_theirs.status_code == 403
    # the programme is public within the service: the carrier reads the Tafel's offer, not its notes
    assert site.client.get(f"/offers/{tafel['id']}", headers=site.carrier()).status_code == 200


def test_a_single_booking_in_the_past_is_refused(site) -> None:
    yesterday = site.today() - timedelta(days=1)
    refused = site.book("beratung-1", yesterday, "10:00", "11:00")
    assert refused.status_code == 422 and problem_field(refused) == "starts_at"
