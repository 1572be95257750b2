"""Rules for registering volunteers (Ehrenamtliche). No framework, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from qn_contracts.vocabulary import VolunteerStatus, Weekday
from qn_infra.errors import Conflict, Forbidden, Invalid, NotFound

from ..city import City

WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)
"""Monday first, so that `WEEKDAYS.index(day)` equals Python's `date.weekday()`."""


class ArchiveReason(StrEnum):
    """Why an engagement ended (status `inactive`); stays in matching, never on an event."""

    MOVED = "moved"
    QUIT = "quit"
    DISMISSED = "dismissed"
    DECEASED = "deceased"
    OPTED_OUT = "opted_out"


class AbsenceReason(StrEnum):
    """Why a volunteer is away for a while (a pause with a date range)."""

    HOLIDAY = "holiday"
    ILLNESS = "illness"
    OTHER = "other"


class SkillLevel(StrEnum):
    """How well a volunteer does one skill, in their own or the coordinator's words."""

    BASIC = "basic"
    EXPERIENCED = "experienced"
    EXPERT = "expert"

    @property
    def rank(self) -> int:
        """1, 2, 3: what ranking compares (0 stands for no level given)."""
        return _LEVEL_RANKS[self]


_LEVEL_RANKS = {SkillLevel.BASIC: 1, SkillLevel.EXPERIENCED: 2, SkillLevel.EXPERT: 3}

LEVEL_DE = {SkillLevel.BASIC: "Grundkenntnisse", SkillLevel.EXPERIENCED: "erfahren", SkillLevel.EXPERT: "Fachkraft"}


LEVEL_VALUES = frozenset(level.value for level in SkillLevel)


def level_ranks(levels: dict[str, str] | None) -> dict[str, int]:
    """A stored {skill: level} as {skill: rank} (an unknown level counts as none)."""
    return {skill: _LEVEL_RANKS[SkillLevel(level)] for skill, level in (levels or {}).items() if level in LEVEL_VALUES}


S = VolunteerStatus
# Which status changes a coordinator may make. Nobody is proposed before a coordinator approved
# them: a self-registration starts `prospective`; a registration by a coordinator is their
# approval and starts `active`. `applied` and `withdrawn` (contracts 1.0) are no longer produced:
# migration 0003 turned them into `prospective` and `inactive`.
STATUS_CHANGES: dict[VolunteerStatus, frozenset[VolunteerStatus]] = {
    S.PROSPECTIVE: frozenset({S.APPROVED, S.DENIED, S.INACTIVE}),
    S.APPROVED: frozenset({S.ACTIVE, S.PAUSED, S.INACTIVE}),
    S.ACTIVE: frozenset({S.PAUSED, S.INACTIVE}),
    S.PAUSED: frozenset({S.ACTIVE, S.INACTIVE}),
    S.INACTIVE: frozenset({S.ACTIVE}),
    S.DENIED: frozenset(),
    S.APPLIED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

RETURNABLE = frozenset({ArchiveReason.MOVED, ArchiveReason.QUIT})
"""An archived volunteer may come back (inactive -> active) only if they had moved or quit."""

SETTABLE_STATUSES: tuple[VolunteerStatus, ...] = (S.APPROVED, S.ACTIVE, S.PAUSED, S.INACTIVE, S.DENIED)
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
    reach: str = "own_quarter"
    reach_km: float | None = None
    max_open_tasks: int | None = None
    email: str | None = None
    skill_levels: dict[str, SkillLevel] | None = None


class UnknownQuarter(Invalid):
    code = "unknown_quarter"


class UnknownSkill(Invalid):
    code = "unknown_skill"


class LevelWithoutSkill(Invalid):
    code = "level_without_skill"


def check_levels(levels: dict[str, SkillLevel] | None, skills: Sequence[str]) -> None:
    """A level is given only for a skill the volunteer offers."""
    for skill in levels or {}:
        if skill not in skills:
            raise LevelWithoutSkill(
                f"Für '{skill}' ist eine Stufe angegeben, die Fähigkeit aber nicht: bitte unter 'skills' aufnehmen.",
                f"A level is given for '{skill}', but not the skill: add it to 'skills'.",
                field=f"skill_levels.{skill}",
            )


class InvalidSlot(Invalid):
    code = "invalid_availability"


class VolunteerNotFound(NotFound):
    code = "volunteer_not_found"


class NotYourVolunteerRecord(Forbidden):
    code = "not_your_volunteer_record"


class StatusChangeNotAllowed(Conflict):
    code = "status_change_not_allowed"


class ArchiveReasonMissing(Invalid):
    code = "invalid_archive_reason"


class InvalidAbsence(Invalid):
    code = "invalid_absence"


class InvalidReach(Invalid):
    code = "invalid_reach"


def check_registration(
    cmd: RegisterVolunteer, city: City, known_skills: Sequence[str], max_reach_km: float = 15.0
) -> None:
    """Refuses a quarter the city does not have, a skill not on the list, an empty time window and a
    reach without its distance (or too far)."""
    check_profile(cmd.skills, cmd.availability, known_skills)
    check_levels(cmd.skill_levels, cmd.skills)
    check_reach(cmd.reach, cmd.reach_km, max_reach_km)
    if city.quarters and cmd.quarter_id not in city.quarters:
        known = ", ".join(sorted(city.quarters))
        raise UnknownQuarter(
            f"Quartier '{cmd.quarter_id}' gibt es nicht. Bekannte Quartiere: {known}.",
            f"Unknown quarter '{cmd.quarter_id}'. Known quarters: {known}.",
            field="quarter_id",
        )


def check_reach(reach: str, km: float | None, max_km: float) -> None:
    """A distance reach names its kilometres (at most `max_km`); the other reaches name none."""
    if reach == "distance":
        if km is None or km > max_km:
            raise InvalidReach(
                f"Mit der Reichweite 'distance' bitte die Entfernung angeben, höchstens {max_km:g} km.",
                f"With the reach 'distance', give the distance, at most {max_km:g} km.",
                field="reach_km",
            )
    elif km is not None:
        raise InvalidReach(
            "Eine Entfernung gehört nur zur Reichweite 'distance'.",
            "A distance belongs to the reach 'distance' only.",
            field="reach_km",
        )


def check_profile(skills: Sequence[str], availability: Sequence[Slot], known_skills: Sequence[str]) -> None:
    """Refuses a skill not on the list and a time window that ends before it starts."""
    for index, skill in enumerate(skills):
        if skill not in known_skills:
            known = ", ".join(known_skills)
            raise UnknownSkill(
                f"Fähigkeit '{skill}' gibt es nicht. Bekannte Fähigkeiten: {known}.",
                f"Unknown skill '{skill}'. Known skills: {known}.",
                field=f"skills.{index}",
            )
    for index, slot in enumerate(availability):
        if slot.ends <= slot.starts:
            start, end = slot.starts.strftime("%H:%M"), slot.ends.strftime("%H:%M")
            raise InvalidSlot(
                f"Das Ende ({end}) muss nach dem Beginn ({start}) liegen.",
                f"The end ({end}) must be after the start ({start}).",
                field=f"availability.{index}.ends",
            )


def check_status_change(
    current: VolunteerStatus,
    wanted: VolunteerStatus,
    archive_reason: ArchiveReason | None = None,
    *,
    archived_for: ArchiveReason | None = None,
) -> None:
    """Refuses a change the lifecycle does not have (409), an archive without its reason and a
    reason on anything but an archive (422), and a return of someone dismissed, deceased or opted
    out (`archived_for`: why they were archived)."""
    if wanted not in STATUS_CHANGES[current]:
        allowed = ", ".join(sorted(s.value for s in STATUS_CHANGES[current])) or "-"
        raise StatusChangeNotAllowed(
            f"Status '{current.value}' kann nicht zu '{wanted.value}' werden. Möglich: {allowed}.",
            f"Status '{current.value}' cannot change to '{wanted.value}'. Possible: {allowed}.",
            field="status",
            extra={"current_status": current.value},
        )
    if wanted is S.INACTIVE and archive_reason is None:
        reasons = ", ".join(ArchiveReason)
        raise ArchiveReasonMissing(
            f"Wer ausscheidet, braucht einen Grund: {reasons}.",
            f"Archiving needs a reason: {reasons}.",
            field="archive_reason",
        )
    if wanted is not S.INACTIVE and archive_reason is not None:
        raise ArchiveReasonMissing(
            "Ein Grund gehört nur zum Ausscheiden (Status 'inactive').",
            "A reason belongs to archiving only (status 'inactive').",
            field="archive_reason",
        )
    if current is S.INACTIVE and archived_for is not None and archived_for not in RETURNABLE:
        raise StatusChangeNotAllowed(
            f"Wer wegen '{archived_for.value}' ausgeschieden ist, kommt nicht zurück; bitte neu registrieren.",
            f"A volunteer archived as '{archived_for.value}' does not come back; register them anew.",
            field="status",
            extra={"current_status": current.value, "archive_reason": archived_for.value},
        )


def check_absence(starts_on: date, ends_on: date, today: date) -> None:
    """An absence lasts at least a day, and is not entered for days that are over."""
    if ends_on < starts_on:
        raise InvalidAbsence(
            f"Das Ende ({ends_on.isoformat()}) darf nicht vor dem Beginn ({starts_on.isoformat()}) liegen.",
            f"The end ({ends_on.isoformat()}) must not be before the start ({starts_on.isoformat()}).",
            field="ends_on",
        )
    if ends_on < today:
        raise InvalidAbsence(
            f"Die Abwesenheit ist schon vorbei ({ends_on.isoformat()}).",
            f"The absence is over already ({ends_on.isoformat()}).",
            field="ends_on",
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
