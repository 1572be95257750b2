"""Registration and status rules for volunteers as plain functions."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import VolunteerStatus, Weekday
from qn_matching.city import City
from qn_matching.config import DEFAULT_SKILLS
from qn_matching.volunteers.domain import (
    InvalidSlot,
    RegisterVolunteer,
    Slot,
    StatusChangeNotAllowed,
    UnknownQuarter,
    check_registration,
    check_status_change,
)

pytestmark = pytest.mark.unit

CITY = City(frozenset({"innenstadt-sued", "rosslau"}), ZoneInfo("Europe/Berlin"))


def registration(**overrides: object) -> RegisterVolunteer:
    data: dict[str, object] = {
        "display_name": "Renate K.",
        "quarter_id": "rosslau",
        "skills": ("walk",),
        "languages": ("de",),
        "availability": (Slot(Weekday.MONDAY, time(10), time(12)),),
    }
    data.update(overrides)
    return RegisterVolunteer(**data)  # type: ignore[arg-type]


def test_a_window_of_no_length_is_refused_naming_its_end() -> None:
    slots = (Slot(Weekday.MONDAY, time(10), time(12)), Slot(Weekday.FRIDAY, time(9), time(9)))
    with pytest.raises(InvalidSlot) as refused:
        check_registration(registration(availability=slots), CITY, DEFAULT_SKILLS)
    assert refused.value.field == "availability.1.ends"
    assert "09:00" in refused.value.de and "09:00" in refused.value.en


def test_without_a_configured_city_any_quarter_is_accepted() -> None:
    nowhere = City(frozenset(), ZoneInfo("Europe/Berlin"))
    check_registration(registration(quarter_id="01100309"), nowhere, DEFAULT_SKILLS)
    with pytest.raises(UnknownQuarter):
        check_registration(registration(quarter_id="01100309"), CITY, DEFAULT_SKILLS)


def test_a_withdrawn_volunteer_stays_withdrawn() -> None:
    check_status_change(VolunteerStatus.PAUSED, VolunteerStatus.ACTIVE)
    for wanted in VolunteerStatus:
        with pytest.raises(StatusChangeNotAllowed):
            check_status_change(VolunteerStatus.WITHDRAWN, wanted)
