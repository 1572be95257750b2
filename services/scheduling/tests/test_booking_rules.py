"""The booking rules as plain functions: overlap, opening hours, listing periods (who may book
for whom: test_access_scope.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import Weekday
from qn_scheduling.bookings import domain
from qn_scheduling.sites.domain import Window

pytestmark = pytest.mark.unit

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_9_TO_17 = [Window(day, time(9), time(17)) for day in list(Weekday)[:5]]
# 24 Nov 2026 is a Tuesday, 29 Nov a Sunday; 28 Mar 2027 is the night clocks go forward
TUESDAY = (2026, 11, 24)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN)


def tuesday(hh: int, mm: int = 0) -> datetime:
    return local(*TUESDAY, hh, mm)


def slot(start: datetime, end: datetime, title: str = "Schuldnerberatung Caritas") -> domain.Slot:
    return domain.Slot(uuid.uuid4(), title, start, end)


def refused(starts: datetime, ends: datetime, hours: list[Window] = WEEKDAYS_9_TO_17) -> domain.OutsideOpeningHours:
    with pytest.raises(domain.OutsideOpeningHours) as caught:
        domain.check_opening_hours(starts, ends, hours, BERLIN, site_name="Franztreff")
    return caught.value


def test_adjacent_bookings_do_not_collide() -> None:
    assert not domain.overlaps(tuesday(10), tuesday(11), tuesday(11), tuesday(12))
    assert not domain.overlaps(tuesday(11), tuesday(12), tuesday(10), tuesday(11))


def test_a_booking_inside_or_around_another_collides() -> None:
    assert domain.overlaps(tuesday(10), tuesday(12), tuesday(10, 30), tuesday(11))
    assert domain.overlaps(tuesday(10, 30), tuesday(11), tuesday(10), tuesday(12))
    assert domain.overlaps(tuesday(10), tuesday(11), tuesday(10, 59), tuesday(12))


def test_the_same_moment_in_another_offset_collides() -> None:
    assert domain.overlaps(
        tuesday(10), tuesday(11), datetime(2026, 11, 24, 9, 30, tzinfo=UTC), datetime(2026, 11, 24, 9, 45, tzinfo=UTC)
    )


def test_the_first_conflict_is_the_earliest_colliding_booking() -> None:
    early, late = slot(tuesday(9), tuesday(10, 30), "Mittagstisch"), slot(tuesday(11), tuesday(12))
    adjacent = slot(tuesday(12), tuesday(13))
    assert domain.first_conflict(tuesday(10), tuesday(12), [late, adjacent, early]) == early
    assert domain.first_conflict(tuesday(10, 30), tuesday(11), [early, late, adjacent]) is None


def test_a_booking_must_end_after_it_starts() -> None:
    with pytest.raises(domain.InvalidPeriod) as caught:
        domain.check_period(tuesday(11), tuesday(11))
    assert caught.value.field == "ends_at"


def test_a_timestamp_without_offset_is_refused() -> None:
    with pytest.raises(domain.InvalidPeriod) as caught:
        domain.check_period(datetime(2026, 11, 24, 10), tuesday(11))
    assert caught.value.field == "starts_at"


def test_a_booking_within_opening_hours_is_accepted_to_the_minute_of_closing() -> None:
    domain.check_opening_hours(tuesday(9), tuesday(17), WEEKDAYS_9_TO_17, BERLIN, site_name="Franztreff")


def test_a_booking_given_in_utc_is_judged_in_berlin_time() -> None:
    # 08:00Z is 09:00 in winter; in summer the same 08:00Z is 10:00, and 07:00Z is 09:00
    domain.check_opening_hours(
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 24, 9, tzinfo=UTC),
        WEEKDAYS_9_TO_17,
        BERLIN,
        site_name="Franztreff",
    )
    domain.check_opening_hours(
        datetime(2027, 6, 1, 7, tzinfo=UTC),
        datetime(2027, 6, 1, 8, tzinfo=UTC),
        WEEKDAYS_9_TO_17,
        BERLIN,
        site_name="Franztreff",
    )
    error = refused(datetime(2026, 11, 24, 7, 30, tzinfo=UTC), datetime(2026, 11, 24, 9, tzinfo=UTC))
    assert error.field == "starts_at" and "08:30" in error.de


def test_starting_before_opening_names_starts_at_with_the_hours_of_that_day() -> None:
    error = refused(tuesday(8), tuesday(10))
    assert error.field == "starts_at"
    assert "Dienstag, 24.11.2026: 09:00–17:00" in error.de
    assert "Tuesday" in error.en
    assert error.extra["opening_hours"] == [{"weekday": "tu", "opens": "09:00", "closes": "17:00"}]


def test_ending_after_closing_names_ends_at() -> None:
    error = refused(tuesday(16), tuesday(18))
    assert error.field == "ends_at"
    assert "17:00" in error.de


def test_starting_at_closing_time_is_outside_the_opening_hours() -> None:
    assert refused(tuesday(17), tuesday(18)).field == "starts_at"


def test_a_booking_across_midnight_is_refused_naming_ends_at() -> None:
    hours = [Window(Weekday.TUESDAY, time(9), time(23, 59))]
    error = refused(tuesday(22), local(2026, 11, 25, 1), hours)
    assert error.field == "ends_at"
    assert "am Tag ihres Beginns" in error.de


def test_a_booking_on_a_closed_day_says_the_site_is_closed() -> None:
    error = refused(local(2026, 11, 29, 10), local(2026, 11, 29, 12))
    assert error.field == "starts_at"
    assert "geschlossen" in error.de and "Sonntag, 29.11.2026" in error.de
    assert "closed" in error.en
    assert error.extra["opening_hours"] == []


def test_a_booking_across_a_lunch_break_is_refused_at_its_end() -> None:
    split = [Window(Weekday.TUESDAY, time(9), time(12)), Window(Weekday.TUESDAY, time(13), time(17))]
    domain.check_opening_hours(tuesday(13), tuesday(15), split, BERLIN, site_name="Franztreff")
    error = refused(tuesday(11), tuesday(14), split)
    assert error.field == "ends_at"
    assert "09:00–12:00, 13:00–17:00" in error.de
    assert refused(tuesday(12, 15), tuesday(12, 45), split).field == "starts_at"


def test_a_conflict_names_the_other_booking_or_only_when_the_room_is_taken() -> None:
    other = slot(tuesday(10), tuesday(12))
    named = domain.conflict(other, "Beratungsraum 2", BERLIN)
    unnamed = domain.conflict(other, "Beratungsraum 2", BERLIN, named=False)
    assert "Schuldnerberatung Caritas" in named.de and named.extra["conflicting_booking"]["id"] == str(other.booking_id)
    assert unnamed.de == "Beratungsraum 2 ist am 24.11.2026 von 10:00 bis 12:00 belegt."
    assert unnamed.extra["conflicting_booking"] == {
        "starts_at": "2026-11-24T10:00:00+01:00",
        "ends_at": "2026-11-24T12:00:00+01:00",
    }


def test_only_a_confirmed_booking_can_be_cancelled() -> None:
    domain.check_cancellable(domain.CONFIRMED)
    with pytest.raises(domain.AlreadyCancelled):
        domain.check_cancellable(domain.CANCELLED)


def test_a_listing_from_monday_to_sunday_covers_the_whole_sunday() -> None:
    assert domain.range_bound("2026-11-23", BERLIN, field="from") == local(2026, 11, 23, 0)
    assert domain.range_bound("2026-11-29", BERLIN, field="to") == local(2026, 11, 30, 0)


def test_a_listing_bound_keeps_a_plus_sign_lost_in_an_unencoded_query() -> None:
    assert domain.range_bound("2026-11-24T10:00:00 01:00", BERLIN, field="from") == tuesday(10)


def test_a_listing_bound_without_time_zone_is_refused_naming_it() -> None:
    with pytest.raises(domain.InvalidPeriod) as caught:
        domain.range_bound("2026-11-24T10:00", BERLIN, field="to")
    assert caught.value.field == "to"


@pytest.mark.parametrize(("starts", "ends", "field"), [(None, "9999-12-31", "to"), ("9999-12-31", None, "from")])
def test_a_listing_period_past_the_last_day_is_refused_naming_the_bound(starts, ends, field) -> None:
    with pytest.raises(domain.InvalidPeriod) as refused:
        domain.listing_period(starts, ends, BERLIN, tuesday(10))
    assert refused.value.field == field


@pytest.mark.across_dates
def test_by_default_a_listing_runs_from_local_midnight_today_for_seven_calendar_days(clock) -> None:
    now = clock.now()
    today = now.astimezone(BERLIN).date()
    start, end = domain.listing_period(None, None, BERLIN, now)
    # local midnights: a week with a clock change has 167 or 169 hours, not 168
    assert start == datetime.combine(today, time(0), BERLIN)
    assert end == datetime.combine(today + timedelta(days=7), time(0), BERLIN)
