"""Registration and status rules for volunteers as plain functions."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import VolunteerStatus, Weekday
from qn_matching.city import City
from qn_matching.config import DEFAULT_SKILLS
from qn_matching.volunteers.domain import (
    ArchiveReason,
    ArchiveReasonMissing,
    InvalidAbsence,
    InvalidSlot,
    RegisterVolunteer,
    Slot,
    StatusChangeNotAllowed,
    UnknownQuarter,
    check_absence,
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


def test_a_denied_applicant_stays_denied_and_1_0_statuses_lead_nowhere() -> None:
    check_status_change(VolunteerStatus.PAUSED, VolunteerStatus.ACTIVE)
    for stuck in (VolunteerStatus.DENIED, VolunteerStatus.APPLIED, VolunteerStatus.WITHDRAWN):
        for wanted in VolunteerStatus:
            with pytest.raises(StatusChangeNotAllowed):
                check_status_change(stuck, wanted, ArchiveReason.QUIT if wanted is VolunteerStatus.INACTIVE else None)


def test_nobody_becomes_active_before_approval() -> None:
    with pytest.raises(StatusChangeNotAllowed):
        check_status_change(VolunteerStatus.PROSPECTIVE, VolunteerStatus.ACTIVE)
    check_status_change(VolunteerStatus.PROSPECTIVE, VolunteerStatus.APPROVED)
    check_status_change(VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE)


def test_archiving_needs_a_reason_and_only_archiving_takes_one() -> None:
    with pytest.raises(ArchiveReasonMissing) as missing:
        check_status_change(VolunteerStatus.ACTIVE, VolunteerStatus.INACTIVE)
    with pytest.raises(ArchiveReasonMissing) as stray:
        check_status_change(VolunteerStatus.ACTIVE, VolunteerStatus.PAUSED, ArchiveReason.MOVED)
    assert missing.value.field == stray.value.field == "archive_reason"
    check_status_change(VolunteerStatus.PAUSED, VolunteerStatus.INACTIVE, ArchiveReason.MOVED)


@pytest.mark.parametrize("reason", list(ArchiveReason))
def test_only_who_moved_or_quit_comes_back(reason: ArchiveReason) -> None:
    if reason in (ArchiveReason.MOVED, ArchiveReason.QUIT):
        check_status_change(VolunteerStatus.INACTIVE, VolunteerStatus.ACTIVE, archived_for=reason)
    else:
        with pytest.raises(StatusChangeNotAllowed):
            check_status_change(VolunteerStatus.INACTIVE, VolunteerStatus.ACTIVE, archived_for=reason)


def test_an_absence_ends_on_or_after_its_start_and_not_in_the_past() -> None:
    check_absence(date(2026, 12, 21), date(2026, 12, 21), today=date(2026, 12, 2))
    with pytest.raises(InvalidAbsence) as backwards:
        check_absence(date(2026, 12, 21), date(2026, 12, 20), today=date(2026, 12, 2))
    with pytest.raises(InvalidAbsence) as over:
        check_absence(date(2026, 11, 20), date(2026, 11, 30), today=date(2026, 12, 2))
    assert backwards.value.field == over.value.field == "ends_on"
