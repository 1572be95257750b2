"""Booking rooms over HTTP, as a coordinator and a carrier with counselling hours do it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import at

pytestmark = pytest.mark.integration


@pytest.fixture
def franztreff(scheduling):
    created = scheduling.put_franztreff()
    assert created.status_code == 201, created.text
    return scheduling


def booking_events(scheduling, booking_id: str) -> list:
    return [m for m in read_stream(scheduling.nats_url, "QN_SCHEDULING") if m.body.get("booking_id") == booking_id]


def test_a_confirmed_booking_is_read_back_and_announced_without_its_title(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    booked = franztreff.book("beratung-2", tuesday, "10:00", "12:00", org_id="caritas-dessau", purpose="counselling")
    assert booked.status_code == 201, booked.text
    booking = franztreff.client.get(booked.headers["Location"], headers=franztreff.carrier()).json()
    assert booking["status"] == "confirmed" and booking["org_id"] == "caritas-dessau"
    assert datetime.fromisoformat(booking["starts_at"]) == datetime.fromisoformat(at(tuesday, "10:00"))
    events = eventually(lambda: booking_events(franztreff, booking["id"]), what="BookingConfirmed")
    assert events[0].headers["ce-type"] == "qn.scheduling.booking.confirmed.v1"
    assert events[0].subject == "qn.v1.scheduling.booking.confirmed.caritas-dessau"  # Caritas' credentials read it
    assert events[0].body["room_id"] == "beratung-2" and events[0].body["purpose"] == "counselling"
    assert datetime.fromisoformat(events[0].body["ends_at"]) == datetime.fromisoformat(at(tuesday, "12:00"))
    assert "Schuldnerberatung" not in str(events[0].body)


def test_a_conflicting_booking_gets_409_naming_the_booking_it_collides_with(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    first = franztreff.book("beratung-2", tuesday, "10:00", "12:00")
    second = franztreff.book("beratung-2", tuesday, "11:00", "13:00", title="Suchtberatung Diakonie")
    assert second.status_code == 409
    problem = second.json()
    assert problem["code"] == "booking_conflict"
    assert problem["conflicting_booking"]["id"] == first.json()["id"]
    assert problem["conflicting_booking"]["title"] == "Schuldnerberatung Caritas"
    assert datetime.fromisoformat(problem["conflicting_booking"]["starts_at"]) == datetime.fromisoformat(
        at(tuesday, "10:00")
    )
    assert datetime.fromisoformat(problem["conflicting_booking"]["ends_at"]) == datetime.fromisoformat(
        at(tuesday, "12:00")
    )
    assert "Schuldnerberatung Caritas" in problem["detail"] and "10:00" in problem["detail"]
    english = franztreff.book(
        "beratung-2", tuesday, "11:00", "13:00", headers={**franztreff.coordinator(), "Accept-Language": "en"}
    )
    assert english.json()["detail"].startswith("Beratungsraum 2 is taken")


def test_adjacent_bookings_and_the_same_hour_in_another_room_both_succeed(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    assert franztreff.book("beratung-2", tuesday, "10:00", "11:00").status_code == 201
    assert franztreff.book("beratung-2", tuesday, "11:00", "12:00").status_code == 201
    assert franztreff.book("beratung-2", tuesday, "09:00", "10:00").status_code == 201
    assert franztreff.book("beratung-1", tuesday, "10:00", "11:00").status_code == 201


@pytest.mark.across_dates
def test_a_booking_outside_opening_hours_gets_422_naming_the_field_and_the_hours_of_that_day(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    early = franztreff.book("beratung-2", tuesday, "08:00", "10:00")
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "starts_at"
    assert early.json()["opening_hours"] == [{"weekday": "tu", "opens": "09:00", "closes": "17:00"}]
    late = franztreff.book("beratung-2", tuesday, "16:00", "18:00")
    assert late.status_code == 422
    assert late.json()["errors"][0]["field"] == "ends_at"
    assert "09:00–17:00" in late.json()["detail"]
    sunday = franztreff.book("beratung-2", franztreff.next_week("sunday"), "10:00", "12:00")
    assert sunday.status_code == 422
    assert "geschlossen" in sunday.json()["detail"]


def test_a_timestamp_without_offset_or_an_end_before_the_start_gets_422(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    naive = franztreff.client.post(
        "/sites/franztreff/rooms/beratung-2/bookings",
        json={"starts_at": f"{tuesday}T10:00:00", "ends_at": f"{tuesday}T11:00:00", "title": "Sprechstunde"},
        headers=franztreff.coordinator(),
    )
    assert naive.status_code == 422
    assert {e["field"] for e in naive.json()["errors"]} == {"starts_at", "ends_at"}
    backwards = franztreff.book("beratung-2", tuesday, "11:00", "10:00")
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "ends_at"


def test_an_unknown_room_or_site_gets_404(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    assert franztreff.book("sauna", tuesday, "10:00", "11:00").status_code == 404
    other = franztreff.client.post(
        "/sites/nirgendwo/rooms/beratung-2/bookings",
        json={"starts_at": at(tuesday, "10:00"), "ends_at": at(tuesday, "11:00"), "title": "Sprechstunde"},
        headers=franztreff.coordinator(),
    )
    assert other.status_code == 404


def test_a_carrier_books_for_its_own_organisation_and_not_for_another(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    own = franztreff.book("beratung-2", tuesday, "10:00", "12:00", headers=franztreff.carrier("caritas-dessau"))
    assert own.status_code == 201, own.text
    assert own.json()["org_id"] == "caritas-dessau"
    other = franztreff.book(
        "beratung-2", tuesday, "13:00", "14:00", org_id="awo-dessau", headers=franztreff.carrier("caritas-dessau")
    )
    assert other.status_code == 403
    assert other.json()["errors"][0]["field"] == "org_id"
    volunteer = franztreff.book("beratung-2", tuesday, "13:00", "14:00", headers=franztreff.tokens.headers("volunteer"))
    assert volunteer.status_code == 403


def test_a_carrier_reads_and_lists_only_its_own_organisations_bookings(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    own = franztreff.book("beratung-2", tuesday, "10:00", "11:00", org_id="caritas-dessau").json()["id"]
    other = franztreff.book(
        "beratung-1", tuesday, "10:00", "11:00", org_id="awo-dessau", title="Suchtberatung AWO"
    ).json()["id"]

    def listed(headers: dict[str, str]) -> list[str]:
        period = {"from": str(tuesday), "to": str(tuesday)}
        response = franztreff.client.get("/sites/franztreff/bookings", params=period, headers=headers)
        assert response.status_code == 200, response.text
        return [booking["id"] for booking in response.json()]

    assert listed(franztreff.carrier("caritas-dessau")) == [own]
    assert listed(franztreff.carrier("awo-dessau")) == [other]
    assert listed(franztreff.coordinator()) == [other, own]  # same hour: by room
    assert franztreff.client.get(f"/bookings/{own}", headers=franztreff.carrier("caritas-dessau")).status_code == 200
    refused = franztreff.client.get(f"/bookings/{other}", headers=franztreff.carrier("caritas-dessau"))
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "org_id"
    assert "Suchtberatung" not in refused.text


def test_a_carrier_whose_booking_collides_learns_when_the_room_is_taken_but_not_by_whom(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    other = franztreff.book("beratung-2", tuesday, "10:00", "12:00", org_id="awo-dessau", title="Suchtberatung AWO")
    caritas = franztreff.carrier("caritas-dessau")
    clash = franztreff.book("beratung-2", tuesday, "11:00", "13:00", headers=caritas)
    assert clash.status_code == 409
    assert clash.json()["conflicting_booking"] == {"starts_at": at(tuesday, "10:00"), "ends_at": at(tuesday, "12:00")}
    assert "Suchtberatung" not in clash.text and other.json()["id"] not in clash.text
    own = franztreff.book("beratung-2", tuesday, "14:00", "15:00", headers=caritas)
    own_clash = franztreff.book("beratung-2", tuesday, "14:30", "15:30", headers=caritas)
    assert own_clash.status_code == 409 and own_clash.json()["conflicting_booking"]["id"] == own.json()["id"]


def test_cancelling_announces_booking_cancelled_frees_the_slot_and_twice_gets_409(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    booked = franztreff.book("beratung-2", tuesday, "10:00", "12:00", headers=franztreff.carrier("caritas-dessau"))
    booking_id = booked.json()["id"]
    stranger = franztreff.client.post(f"/bookings/{booking_id}/cancel", headers=franztreff.carrier("awo-dessau"))
    assert stranger.status_code == 403
    cancelled = franztreff.client.post(
        f"/bookings/{booking_id}/cancel", json={"reason": "illness"}, headers=franztreff.carrier("caritas-dessau")
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    again = franztreff.client.post(f"/bookings/{booking_id}/cancel", headers=franztreff.coordinator())
    assert again.status_code == 409
    assert franztreff.book("beratung-2", tuesday, "10:00", "12:00").status_code == 201

    def cancellation() -> list:
        return [
            m
            for m in booking_events(franztreff, booking_id)
            if m.headers["ce-type"] == "qn.scheduling.booking.cancelled.v1"
        ]

    events = eventually(cancellation, what="BookingCancelled")
    assert len(events) == 1
    assert events[0].body["reason"] == "illness" and events[0].body["room_id"] == "beratung-2"
    assert events[0].subject == "qn.v1.scheduling.booking.cancelled.caritas-dessau"
    assert events[0].body["org_id"] == "caritas-dessau"
    assert (
        franztreff.client.post(
            "/bookings/00000000-0000-4000-8000-000000000000/cancel", headers=franztreff.coordinator()
        ).status_code
        == 404
    )


@pytest.mark.across_dates
def test_the_bookings_of_a_week_are_listed_by_room_and_period(franztreff) -> None:
    tuesday, wednesday = franztreff.next_week("tuesday"), franztreff.next_week("wednesday")
    a = franztreff.book("beratung-2", tuesday, "10:00", "11:00").json()["id"]
    b = franztreff.book("gruppenraum", tuesday, "11:00", "13:00", title="Mittagstisch Dessauer Tafel").json()["id"]
    c = franztreff.book("beratung-2", wednesday, "14:00", "15:00").json()["id"]
    cancelled = franztreff.book("beratung-1", tuesday, "15:00", "16:00").json()["id"]
    franztreff.client.post(f"/bookings/{cancelled}/cancel", headers=franztreff.coordinator())

    def listed(**params: str) -> list[str]:
        response = franztreff.client.get(
            "/sites/franztreff/bookings", params=params, headers=franztreff.tokens.headers("volunteer")
        )
        assert response.status_code == 200, response.text
        return [booking["id"] for booking in response.json()]

    assert listed(**{"from": str(tuesday), "to": str(wednesday)}) == [a, b, c]
    assert listed(**{"from": str(tuesday), "to": str(tuesday)}) == [a, b]
    assert listed(**{"from": at(tuesday, "10:30"), "to": at(tuesday, "11:00")}) == [a]
    assert listed(**{"from": str(tuesday), "to": str(wednesday), "room_id": "beratung-2"}) == [a, c]
    assert cancelled in listed(**{"from": str(tuesday), "include_cancelled": "true"})
    backwards = franztreff.client.get(
        "/sites/franztreff/bookings",
        params={"from": str(wednesday), "to": str(tuesday)},
        headers=franztreff.coordinator(),
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "to"


@pytest.mark.across_dates
def test_without_a_period_the_listing_shows_the_seven_days_from_the_services_today(franztreff) -> None:
    workdays = [franztreff.next_week(day) for day in ("monday", "tuesday", "wednesday", "thursday", "friday")]
    booked = {day: franztreff.book("beratung-2", day, "10:00", "11:00").json()["id"] for day in workdays}

    def listed_by_default() -> list[str]:
        response = franztreff.client.get("/sites/franztreff/bookings", headers=franztreff.coordinator())
        assert response.status_code == 200, response.text
        return [booking["id"] for booking in response.json()]

    def within_a_week(today) -> list[str]:  # type: ignore[no-untyped-def]
        return [booked[day] for day in workdays if today <= day < today + timedelta(days=7)]

    assert listed_by_default() == within_a_week(franztreff.today())
    franztreff.clock.advance(days=1)  # the listing follows the service's clock, not the machine's
    assert listed_by_default() == within_a_week(franztreff.today())


def test_two_simultaneous_requests_for_the_same_slot_do_not_both_succeed(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda i: franztreff.book("beratung-2", tuesday, "10:00", "11:00", title=f"Sprechstunde {i}"), range(6)
            )
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409, 409, 409, 409, 409], [a.text for a in answers]
    winner = next(a.json()["id"] for a in answers if a.status_code == 201)
    assert all(a.json()["conflicting_booking"]["id"] == winner for a in answers if a.status_code == 409)


@pytest.mark.parametrize(
    ("bounds", "field"),
    [
        ({"from": "0001-01-01T00:00:00+01:00", "to": "0001-01-02"}, "from"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "9999-12-24T23:30:00-01:00"}, "from"),
        ({"from": "2026-11-24T10:00"}, "from"),
        ({"from": "2026-11-24", "to": "24.11.2026"}, "to"),
    ],
)
def test_a_listing_bound_off_the_calendar_or_out_of_form_gets_422_naming_it(franztreff, bounds, field) -> None:
    """A moment that cannot be held in UTC made the database query fail with a 500."""
    response = franztreff.client.get("/sites/franztreff/bookings", params=bounds, headers=franztreff.coordinator())
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_a_booking_off_the_calendar_gets_422_naming_the_field(franztreff) -> None:
    response = franztreff.client.post(
        "/sites/franztreff/rooms/beratung-2/bookings",
        json={"starts_at": "0001-01-01T00:00:00+01:00", "ends_at": "0001-01-01T01:00:00+01:00", "title": "X"},
        headers=franztreff.coordinator(),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"


def test_a_cancellation_gives_a_reason_from_the_list_and_a_note_only_bookers_read(
    franztreff, capfd: pytest.CaptureFixture[str]
) -> None:
    tuesday = franztreff.next_week("tuesday")
    booking_id = franztreff.book("beratung-2", tuesday, "10:00", "12:00").json()["id"]
    note = "Beraterin Schulze erkrankt, Ersatztermin folgt."

    cancelled = franztreff.client.post(
        f"/bookings/{booking_id}/cancel", json={"reason": "illness", "note": note}, headers=franztreff.coordinator()
    )

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["cancel_reason"], cancelled.json()["cancel_note"]) == ("illness", note)
    as_volunteer = franztreff.client.get(f"/bookings/{booking_id}", headers=franztreff.tokens.headers("volunteer"))
    assert as_volunteer.json()["cancel_reason"] == "illness" and as_volunteer.json()["cancel_note"] is None
    as_staff = franztreff.client.get(f"/bookings/{booking_id}", headers=franztreff.tokens.headers("team_staff"))
    assert as_staff.json()["cancel_note"] == note
    [event] = eventually(
        lambda: [m for m in booking_events(franztreff, booking_id) if m.body.get("reason") == "illness"],
        what="BookingCancelled",
    )
    assert "Schulze" not in str(event.body) and "Schulze" not in str(event.headers)
    out, err = capfd.readouterr()
    assert "Schulze" not in out + err


def test_a_cancellation_reason_not_on_the_list_gets_422_listing_the_reasons_that_are(franztreff) -> None:
    tuesday = franztreff.next_week("tuesday")
    booking_id = franztreff.book("beratung-2", tuesday, "10:00", "12:00").json()["id"]
    url = f"/bookings/{booking_id}/cancel"

    german = franztreff.client.post(url, json={"reason": "regen"}, headers=franztreff.coordinator())
    english = franztreff.client.post(
        url, json={"reason": "regen"}, headers={**franztreff.coordinator(), "Accept-Language": "en"}
    )

    assert german.status_code == 422 and german.json()["errors"][0]["field"] == "reason"
    assert german.json()["errors"][0]["message"].startswith("Ungültiger Wert; erlaubt: 'illness'")
    assert "'booked_in_error'" in german.json()["errors"][0]["message"]
    assert "'other'" in english.json()["errors"][0]["message"]
    assert franztreff.client.get(f"/bookings/{booking_id}", headers=franztreff.coordinator()).json()["status"] == (
        "confirmed"
    )


def test_a_booking_time_given_as_a_number_is_refused_as_the_document_says(franztreff) -> None:
    """The document says RFC 3339 text; pydantic alone would read 1796637600 as Unix time."""
    response = franztreff.client.post(
        "/sites/franztreff/rooms/beratung-2/bookings",
        json={"starts_at": 1796637600, "ends_at": "2026-12-01T11:00:00+01:00", "title": "Sprechstunde"},
        headers=franztreff.coordinator(),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "starts_at", "message": "Zeitpunkt erwartet (ISO 8601)."}]
