"""The site rules as plain functions: known quarter and carrier, unique rooms, sane opening hours."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import RoomKind, Weekday
from qn_scheduling.city import City, load_city
from qn_scheduling.sites import domain
from qn_testkit.services import REPO

pytestmark = pytest.mark.unit

CITY = City(
    name="Test",
    timezone=ZoneInfo("Europe/Berlin"),
    quarters=frozenset({"innenstadt-sued", "rosslau"}),
    organisations=frozenset({"drk-dessau", "awo-dessau"}),
    teams=frozenset({"team-innenstadt"}),
)
OFFICE = domain.RoomSpec("buero", "Büro", RoomKind.OFFICE, 2)
MONDAY = domain.Window(Weekday.MONDAY, time(9), time(17))


def site(**changes: object) -> domain.SiteSpec:
    fields: dict[str, object] = {
        "site_id": "franztreff",
        "name": "Franztreff",
        "quarter_id": "innenstadt-sued",
        "carrier_id": "drk-dessau",
        "address": None,
        "rooms": (OFFICE,),
        "opening_hours": (MONDAY,),
    }
    fields.update(changes)
    return domain.SiteSpec(**fields)  # type: ignore[arg-type]


def test_a_well_formed_site_passes() -> None:
    domain.check_site(site(), CITY)


def test_an_unknown_quarter_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(domain.UnknownQuarter) as caught:
        domain.check_site(site(quarter_id="innenstadt-süd"), CITY)
    assert caught.value.field == "quarter_id"
    assert "innenstadt-sued" in caught.value.de


def test_an_unknown_carrier_is_refused() -> None:
    with pytest.raises(domain.UnknownOrganisation) as caught:
        domain.check_site(site(carrier_id="drk"), CITY)
    assert caught.value.field == "carrier_id"


def test_a_room_given_twice_is_refused_at_its_second_position() -> None:
    with pytest.raises(domain.DuplicateRoom) as caught:
        domain.check_site(site(rooms=(OFFICE, OFFICE)), CITY)
    assert caught.value.field == "rooms.1.room_id"


def test_closing_before_opening_is_refused() -> None:
    with pytest.raises(domain.InvalidOpeningHours) as caught:
        domain.check_opening_hours([MONDAY, domain.Window(Weekday.TUESDAY, time(17), time(9))])
    assert caught.value.field == "opening_hours.1.closes"


def test_overlapping_windows_on_one_day_are_refused_but_a_lunch_break_is_fine() -> None:
    domain.check_opening_hours(
        [domain.Window(Weekday.MONDAY, time(9), time(12)), domain.Window(Weekday.MONDAY, time(12), time(17))]
    )
    with pytest.raises(domain.InvalidOpeningHours) as caught:
        domain.check_opening_hours([MONDAY, domain.Window(Weekday.MONDAY, time(16), time(18))])
    assert caught.value.field == "opening_hours.1"


def test_opening_hours_are_to_the_minute() -> None:
    with pytest.raises(domain.InvalidOpeningHours) as caught:
        domain.check_opening_hours([domain.Window(Weekday.MONDAY, time(9, 0, 30), time(17))])
    assert caught.value.field == "opening_hours.0.opens"


def test_the_same_hours_in_another_order_are_the_same_site() -> None:
    tuesday = domain.Window(Weekday.TUESDAY, time(9), time(17))
    assert site(opening_hours=(tuesday, MONDAY)).normalised() == site(opening_hours=(MONDAY, tuesday)).normalised()
    assert site(rooms=(OFFICE,)).normalised() != site(rooms=()).normalised()


def test_rooms_no_longer_listed_are_retired() -> None:
    assert domain.retired_rooms(["buero", "kueche"], ["buero"]) == {"kueche"}
    assert domain.retired_rooms(["buero"], ["buero", "kueche"]) == set()


def test_the_demo_city_gives_berlin_time_and_the_two_carriers_of_the_sites() -> None:
    city = load_city(REPO / "deploy" / "demo-city")
    assert city.timezone == ZoneInfo("Europe/Berlin")
    assert {"innenstadt-sued", "rosslau"} <= city.quarters
    assert {"drk-dessau", "awo-dessau", "caritas-dessau"} <= city.organisations
