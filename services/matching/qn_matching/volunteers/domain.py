"""Rules for registering volunteers (Ehrenamtliche). No framework, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from qn_contracts.vocabulary import VolunteerStatus, Weekday
from qn_infra.errors import Conflict, Forbidden, Invalid, NotFound

from ..city import City

WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)
"""Monday first, so that `WEEKDAYS.index(day)` equals Python's `date.weekday()`."""

# Which status changes a coordinator may make; `applied` is only where a registration starts.
STATUS_CHANGES: dict[VolunteerStatus, frozenset[VolunteerStatus]] = {
    VolunteerStatus.APPLIED: frozenset({VolunteerStatus.ACTIVE, VolunteerStatus.WITHDRAWN}),
    VolunteerStatus.ACTIVE: frozenset({VolunteerStatus.PAUSED, VolunteerStatus.INACTIVE, VolunteerStatus.WITHDRAWN}),
    VolunteerStatus.PAUSED: frozenset({VolunteerStatus.ACTIVE, VolunteerStatus.INACTIVE, VolunteerStatus.WITHDRAWN}),
    VolunteerStatus.INACTIVE: frozenset({VolunteerStatus.ACTIVE, VolunteerStatus.WITHDRAWN}),
    VolunteerStatus.WITHDRAWN: frozenset(),
}


SETTABLE_STATUSES: tuple[VolunteerStatus, ...] = tuple(s for s in VolunteerStatus if s is not VolunteerStatus.APPLIED)
"""The statuses a coordinator can set at all (which of them follow the current one: `STATUS_CHANGES`)."""


@dataclass(frozen=True)
class Slot:
    """A weekly time window, in the city's local time: `Slot(Weekday.MONDAY, 10:00, 12:00)`."""

    weekday: Weekday
    starts: time
    ends: time

    def as_dict(self) -> dict[str, str]:
        return {
            "weekday": self.weekday.value,
            "starts": self.starts.strftime("%H:%M"),
            "ends": self.ends.strftime("%H:%M"),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, str]) -> Slot:
        return cls(Weekday(raw["weekday"]), time.fromisoformat(raw["starts"]), time.fromisoformat(raw["ends"]))


@dataclass(frozen=True)
class RegisterVolunteer:
    display_name: str
    quarter_id: str
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    availability: tuple[Slot, ...]
    contact: str | None = None
    account: str | None = None


class UnknownQuarter(Invalid):
    code = "unknown_quarter"


class UnknownSkill(Invalid):
    code = "unknown_skill"


class InvalidSlot(Invalid):
    code = "invalid_availability"


class VolunteerNotFound(NotFound):
    code = "volunteer_not_found"


class NotYourVolunteerRecord(Forbidden):
    code = "not_your_volunteer_record"


class StatusChangeNotAllowed(Conflict):
    code = "status_change_not_allowed"


def check_registration(cmd: RegisterVolunteer, city: City, known_skills: Sequence[str]) -> None:
    """Refuses a quarter the city does not have, a skill not on the list and an empty time window."""
    if city.quarters and cmd.quarter_id not in city.quarters:
        known = ", ".join(sorted(city.quarters))
        raise UnknownQuarter(
            f"Quartier '{cmd.quarter_id}' gibt es nicht. Bekannte Quartiere: {known}.",
            f"Unknown quarter '{cmd.quarter_id}'. Known quarters: {known}.",
            field="quarter_id",
        )
    for index, skill in enumerate(cmd.skills):
        if skill not in known_skills:
            known = ", ".join(known_skills)
            raise UnknownSkill(
                f"Fähigkeit '{skill}' gibt es nicht. Bekannte Fähigkeiten: {known}.",
                f"Unknown skill '{skill}'. Known skills: {known}.",
                field=f"skills.{index}",
            )
    for index, slot in enumerate(cmd.availability):
        if slot.ends <= slot.starts:
            start, end = slot.starts.strftime("%H:%M"), slot.ends.strftime("%H:%M")
            raise InvalidSlot(
                f"Das Ende ({end}) muss nach dem Beginn ({start}) liegen.",
                f"The end ({end}) must be after the start ({start}).",
                field=f"availability.{index}.ends",
            )


def check_status_change(current: VolunteerStatus, wanted: VolunteerStatus) -> None:
    if wanted not in STATUS_CHANGES[current]:
        allowed = ", ".join(sorted(s.value for s in STATUS_CHANGES[current])) or "-"
        raise StatusChangeNotAllowed(
            f"Status '{current.value}' kann nicht zu '{wanted.value}' werden. Möglich: {allowed}.",
            f"Status '{current.value}' cannot change to '{wanted.value}'. Possible: {allowed}.",
            field="status",
            extra={"current_status": current.value},
        )


def volunteer_not_found(volunteer_id: object) -> VolunteerNotFound:
    return VolunteerNotFound(
        f"Ehrenamtliche(n) {volunteer_id} gibt es nicht.",
        f"Volunteer {volunteer_id} does not exist.",
        field="volunteer_id",
    )


def not_your_record() -> NotYourVolunteerRecord:
    return NotYourVolunteerRecord(
        "Ehrenamtliche sehen nur ihre eigenen Angaben und Einsätze.",
        "Volunteers see only their own record and matches.",
        extra={"reason": "not_your_volunteer_record"},
    )
