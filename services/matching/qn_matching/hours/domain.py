"""Hours given on a task: quarter-hour entries, decided by a coordinator; a completed task is
settled -- its approved hours reported once in `assignment.completed` -- when no entry awaits a
decision. No framework, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from qn_contracts.vocabulary import HoursSource
from qn_infra.errors import Conflict, Forbidden, Invalid, NotFound

MAX_TASK_HOURS = Decimal(24)
"""What one task's hours may add up to (the contract's bound on `assignment.completed`); a longer
engagement is several tasks."""


class HoursStatus(StrEnum):
    SUBMITTED = "submitted"
    """Logged by the volunteer; waits for a coordinator."""
    APPROVED = "approved"
    RETURNED = "returned"
    """Sent back with a reason; counts for nothing (the volunteer logs a corrected entry)."""


class ReturnReason(StrEnum):
    WRONG_HOURS = "wrong_hours"
    WRONG_DATE = "wrong_date"
    NOT_THIS_TASK = "not_this_task"
    DUPLICATE = "duplicate"
    OTHER = "other"


@dataclass(frozen=True)
class Entry:
    hours: Decimal
    source: HoursSource
    status: HoursStatus


def status_at_entry(*, entered_by_coordinator: bool) -> HoursStatus:
    """A volunteer's entry waits for a coordinator; one a coordinator enters (for a volunteer
    without a smartphone, or from a paper slip) is approved as entered: they are the approver."""
    return HoursStatus.APPROVED if entered_by_coordinator else HoursStatus.SUBMITTED


def awaiting(entries: Iterable[Entry]) -> bool:
    return any(e.status is HoursStatus.SUBMITTED for e in entries)


def settlement(entries: Iterable[Entry]) -> tuple[Decimal, HoursSource | None]:
    """The approved hours of a task and where they come from (None when nothing was approved)."""
    approved = [e for e in entries if e.status is HoursStatus.APPROVED]
    sources = {e.source for e in approved}
    source = None if not sources else sources.pop() if len(sources) == 1 else HoursSource.MIXED
    return sum((e.hours for e in approved), Decimal(0)), source


def check_total(entries: Iterable[Entry], adding: Decimal) -> None:
    """Refuses an entry that would take the task past `MAX_TASK_HOURS` (returned ones do not count)."""
    counted = sum((e.hours for e in entries if e.status is not HoursStatus.RETURNED), Decimal(0))
    if counted + adding > MAX_TASK_HOURS:
        raise Invalid(
            f"Für eine Aufgabe sind höchstens {MAX_TASK_HOURS} Stunden möglich; {counted} sind schon eingetragen.",
            f"A task holds at most {MAX_TASK_HOURS} hours; {counted} are entered already.",
            field="hours",
        )


class HoursEntryNotFound(NotFound):
    code = "hours_entry_not_found"


class HoursAlreadyDecided(Conflict):
    code = "hours_already_decided"


class TaskNotOpenForHours(Conflict):
    code = "task_not_open_for_hours"


class PaperIsForCoordinators(Forbidden):
    code = "paper_is_for_coordinators"


def entry_not_found(entry_id: UUID) -> HoursEntryNotFound:
    return HoursEntryNotFound(
        f"Stundeneintrag {entry_id} gibt es nicht.", f"Hours entry {entry_id} does not exist.", field="entry_id"
    )


def already_decided(status: str) -> HoursAlreadyDecided:
    return HoursAlreadyDecided(
        f"Über diesen Eintrag ist schon entschieden ('{status}').",
        f"This entry is decided already ('{status}').",
        extra={"current_status": status},
    )


def not_open_for_hours(status: str, *, settled: bool) -> TaskNotOpenForHours:
    if settled:
        return TaskNotOpenForHours(
            "Die Stunden dieser Aufgabe sind abgerechnet; weitere Einträge sind nicht möglich.",
            "This task's hours are settled; no more entries can be made.",
            extra={"current_status": status},
        )
    return TaskNotOpenForHours(
        f"Stunden gibt es nur für angenommene oder erledigte Aufgaben; ihr Status ist '{status}'.",
        f"Hours are logged for accepted or completed tasks only; its status is '{status}'.",
        extra={"current_status": status},
    )


def paper_is_for_coordinators() -> PaperIsForCoordinators:
    return PaperIsForCoordinators(
        "Papierzettel tragen Koordinator:innen nach; Ehrenamtliche tragen ihre Stunden in der App ein.",
        "Paper slips are entered by coordinators; volunteers log their hours in the app.",
        field="source",
    )
