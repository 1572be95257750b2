"""Entering a drop-in centre over HTTP, as its coordinator does."""

from __future__ import annotations

import tomllib

import pytest

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import DEMO_CITY, franztreff

pytestmark = pytest.mark.integration

SITE_UPDATED = "qn.scheduling.site.updated.v1"


def site_events(scheduling, site_id: str = "franztreff") -> list:
    return [
        m
        for m in read_stream(scheduling.nats_url, "QN_SCHEDULING")
        if m.headers["ce-type"] == SITE_UPDATED and m.body["site_id"] == site_id
    ]


def test_the_franztreff_is_created_and_read_back_with_rooms_and_opening_hours(scheduling) -> None:
    created = scheduling.put_franztreff()
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/sites/franztreff"
    read = scheduling.client.get("/sites/franztreff", headers=scheduling.tokens.headers("volunteer"))
    assert read.status_code == 200
    site = read.json()
    assert site["quarter_id"] == "innenstadt-sued" and site["carrier_id"] == "drk-dessau"
    assert [r["room_id"] for r in site["rooms"]] == ["buero", "beratung-1", "beratung-2", "gruppenraum"]
    assert site["opening_hours"][0] == {"weekday": "mo", "opens": "09:00", "closes": "17:00"}


def test_a_repeated_identical_put_answers_200_and_emits_no_second_site_updated(scheduling) -> None:
    assert scheduling.put_franztreff().status_code == 201
    eventually(lambda: len(site_events(scheduling)) == 1, what="the first SiteUpdated")
    # the same site, with the opening hours in another order: nothing changed
    again = scheduling.put_franztreff(opening_hours=list(reversed(franztreff()["opening_hours"])))
    assert again.status_code == 200, again.text
    changed = scheduling.put_franztreff(name="Franztreff am Leipziger Tor")
    assert changed.status_code == 200
    # events are relayed in commit order: once the change is on the stream, a SiteUpdated for the
    # identical PUT would be there too
    events = eventually(
        lambda: (
            site_events(scheduling) if any(e.body["name"] != "Franztreff" for e in site_events(scheduling)) else None
        ),
        what="the SiteUpdated of the renamed site",
    )
    assert [e.body["name"] for e in events] == ["Franztreff", "Franztreff am Leipziger Tor"]
    assert events[0].headers["ce-dataclassification"] == "public"
    assert events[0].body["opening_hours"][0]["weekday"] == "mo"


def test_removing_a_room_with_future_bookings_gets_409_naming_them(scheduling) -> None:
    scheduling.put_franztreff()
    tuesday = scheduling.next_week("tuesday")
    booked = scheduling.book("beratung-2", tuesday, "10:00", "12:00")
    assert booked.status_code == 201, booked.text
    rooms = [r for r in franztreff()["rooms"] if r["room_id"] != "beratung-2"]
    refused = scheduling.put_franztreff(rooms=rooms)
    assert refused.status_code == 409
    assert refused.json()["code"] == "room_in_use"
    assert [b["id"] for b in refused.json()["bookings"]] == [booked.json()["id"]]
    assert refused.json()["bookings"][0]["title"] == "Schuldnerberatung Caritas"
    still = scheduling.client.get("/sites/franztreff", headers=scheduling.coordinator()).json()
    assert "beratung-2" in [r["room_id"] for r in still["rooms"]]


def test_a_room_without_future_bookings_can_be_removed_and_is_no_longer_bookable(scheduling) -> None:
    scheduling.put_franztreff()
    rooms = [r for r in franztreff()["rooms"] if r["room_id"] != "gruppenraum"]
    assert scheduling.put_franztreff(rooms=rooms).status_code == 200
    site = scheduling.client.get("/sites/franztreff", headers=scheduling.coordinator()).json()
    assert "gruppenraum" not in [r["room_id"] for r in site["rooms"]]
    assert scheduling.book("gruppenraum", scheduling.next_week("tuesday"), "10:00", "11:00").status_code == 404
    # and it can come back
    assert scheduling.put_franztreff().status_code == 200
    assert scheduling.book("gruppenraum", scheduling.next_week("tuesday"), "10:00", "11:00").status_code == 201


def test_an_unknown_quarter_or_a_bad_room_kind_is_refused_naming_the_field(scheduling) -> None:
    quarter = scheduling.put_franztreff(quarter_id="suedstadt")
    assert quarter.status_code == 422
    assert quarter.json()["errors"][0]["field"] == "quarter_id"
    kind = scheduling.put_franztreff(rooms=[{"room_id": "keller", "name": "Keller", "kind": "cellar", "capacity": 5}])
    assert kind.status_code == 422
    assert kind.json()["errors"][0]["field"] == "rooms.0.kind"
    hours = scheduling.put_franztreff(opening_hours=[{"weekday": "mo", "opens": "17:00", "closes": "09:00"}])
    assert hours.status_code == 422
    assert hours.json()["errors"][0]["field"] == "opening_hours.0.closes"
    assert scheduling.client.get("/sites/franztreff", headers=scheduling.coordinator()).status_code == 404


def test_only_coordinators_and_admins_enter_sites_and_anyone_reads_them_without_a_token(scheduling) -> None:
    for role in ("team_staff", "kuemmerer", "carrier", "volunteer", "committee"):
        refused = scheduling.client.put("/sites/franztreff", json=franztreff(), headers=scheduling.tokens.headers(role))
        assert refused.status_code == 403, role
    assert (
        scheduling.client.put(
            "/sites/franztreff", json=franztreff(), headers=scheduling.tokens.headers("admin")
        ).status_code
        == 201
    )
    for role in ("team_staff", "kuemmerer", "coordinator", "carrier", "volunteer", "admin", "committee"):
        listed = scheduling.client.get("/sites", headers=scheduling.tokens.headers(role))
        assert [s["site_id"] for s in listed.json()] == ["franztreff"], role
    # drop-in centres are public places: a resident finds them without logging in
    assert [s["site_id"] for s in scheduling.client.get("/sites").json()] == ["franztreff"]
    assert scheduling.client.get("/sites/franztreff").json()["address"] == "Franzstraße 147, 06842 Dessau-Roßlau"


def test_the_demo_sites_file_loads_as_it_is(scheduling) -> None:
    sites = tomllib.loads((DEMO_CITY / "sites.toml").read_text(encoding="utf-8"))["sites"]
    for site in sites:
        body = {key: value for key, value in site.items() if key != "id"}
        response = scheduling.client.put(f"/sites/{site['id']}", json=body, headers=scheduling.coordinator())
        assert response.status_code == 201, response.text
    listed = scheduling.client.get("/sites", headers=scheduling.coordinator()).json()
    assert {s["site_id"]: s["quarter_id"] for s in listed} == {
        "franztreff": "innenstadt-sued",
        "rosseltreff": "rosslau",
    }
    for site in listed:
        kinds = {r["kind"] for r in site["rooms"]}
        assert kinds == {"office", "counselling", "group", "kitchen", "open_area", "meeting"}
        assert [h["weekday"] for h in site["opening_hours"]] == ["mo", "tu", "we", "th", "fr"]
    by_quarter = scheduling.client.get("/sites?quarter_id=rosslau", headers=scheduling.coordinator()).json()
    assert [s["site_id"] for s in by_quarter] == ["rosseltreff"]


@pytest.mark.parametrize("opens", ["09:00:00", "09:00+01:00", "9:00", "24:00"])
def test_opening_hours_are_local_hours_and_minutes_as_the_document_says(scheduling, opens: str) -> None:
    """The document said any ISO time (format: time), which the service then refused."""
    response = scheduling.put_franztreff(opening_hours=[{"weekday": "mo", "opens": opens, "closes": "17:00"}])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "opening_hours.0.opens"


def test_a_capacity_given_as_text_is_refused_as_the_document_says(scheduling) -> None:
    rooms = [{"room_id": "keller", "name": "Keller", "kind": "group", "capacity": "5"}]
    response = scheduling.put_franztreff(rooms=rooms)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rooms.0.capacity"
