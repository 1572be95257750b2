"""What a site lets carriers book themselves, occupancy per room and week, and how a waitlist of
registrations moves up -- as plain functions."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from qn_contracts.vocabulary import Weekday
from qn_infra.errors import Conflict, Invalid
from qn_scheduling.bookings.occupancy import minutes_booked, minutes_open, monday_of
from qn_scheduling.bookings.rules import check_horizon, check_quota
from qn_scheduling.registrations.domain import Held, RegistrationStatus, moving_up, status_for
from qn_scheduling.sites.domain import BookingRules, Closure, Window
from qn_testkit.days import BERLIN

pytestmark = pytest.mark.unit

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=BERLIN)


def slot(day: date, start: int, hours: int = 2) -> tuple[datetime, datetime]:
    begins = datetime.combine(day, time(start), BERLIN)
    return begins, begins + timedelta(hours=hours)


def test_a_carrier_books_up_to_the_horizon_day_and_not_a_day_later() -> None:
    rules = BookingRules(horizon_days=90)
    check_horizon([slot(date(2027, 5, 30), 9)], rules, now=NOW, tz=BERLIN, field="starts_at")
    with pytest.raises(Invalid) as refused:
        check_horizon([slot(date(2027, 5, 31), 9)], rules, now=NOW, tz=BERLIN, field="rrule")
    assert refused.value.field == "rrule" and "30.05.2027" in refused.value.de


def test_the_monthly_quota_counts_what_the_carrier_holds_and_asks_for_in_that_month() -> None:
    rules = BookingRules(carrier_hours_per_month=10)
    held = [slot(date(2027, 3, day), 9, 2) for day in (2, 9, 16)]  # six hours in March
    check_quota([slot(date(2027, 3, 23), 9, 4)], held, rules, org_id="caritas-dessau", tz=BERLIN)  # ten: fits
    check_quota([slot(date(2027, 4, 6), 9, 8)], held, rules, org_id="caritas-dessau", tz=BERLIN)  # April: own quota
    with pytest.raises(Conflict) as refused:
        check_quota([slot(date(2027, 3, 23), 9, 5)], held, rules, org_id="caritas-dessau", tz=BERLIN)
    assert refused.value.code == "quota_exceeded" and refused.value.extra["month"] == "2027-03"
    assert "4,0 Stunden" in refused.value.de
    check_quota(
        [slot(date(2027, 3, 23), 9, 9)], held, BookingRules(carrier_hours_per_month=None), org_id=None, tz=BERLIN
    )


def test_a_week_is_open_for_its_windows_less_holidays_and_closures() -> None:
    hours = [Window(Weekday(day), time(9), time(17)) for day in ("mo", "tu", "we", "th", "fr")]
    assert minutes_open(date(2027, 3, 8), hours, "ST", []) == 5 * 8 * 60
    # Easter week 2027: Good Friday (26 March) is a holiday in Saxony-Anhalt; the Monday is closed for works
    closed = [Closure(date(2027, 3, 22), date(2027, 3, 22), "Umbau")]
    assert minutes_open(date(2027, 3, 22), hours, "ST", closed) == 3 * 8 * 60


def test_booked_minutes_count_overlaps_once_and_only_within_the_week() -> None:
    monday = date(2027, 3, 8)
    starts = datetime.combine(monday, time.min, BERLIN)
    ends = starts + timedelta(days=7)
    periods = [slot(monday, 9, 2), slot(monday, 10, 2), slot(monday + timedelta(days=2), 11, 2)]
    periods.append((starts - timedelta(hours=1), starts + timedelta(hours=1)))  # from Sunday night: one hour counts
    assert minutes_booked(periods, starts, ends) == (3 + 2 + 1) * 60
    assert monday_of(datetime(2027, 3, 14, 23, 30, tzinfo=BERLIN), BERLIN) == monday


def test_the_waitlist_moves_up_in_order_each_registration_that_fits() -> None:
    first, family, single = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    queue = [Held(first, 2), Held(family, 4), Held(single, 1)]
    assert moving_up(queue, capacity=10, taken=7) == [first, single]  # the family of four does not block the single
    assert moving_up(queue, capacity=10, taken=3) == [first, family, single]
    assert status_for(1, capacity=10, taken=3, anyone_waiting=True) is RegistrationStatus.WAITING
    assert status_for(2, capacity=10, taken=8, anyone_waiting=False) is RegistrationStatus.REGISTERED
    assert status_for(3, capacity=10, taken=8, anyone_waiting=False) is RegistrationStatus.WAITING
