"""Rules for neighbourly-help requests in intake: when a request may go to matching, and what its
status is as matching answers. No framework, no database.

    needs_person      an anonymous concern: there is nobody to help yet
    awaiting_consent  the person has not (or no longer) given consent to neighbourly help
    requested         with matching
    matched           a volunteer accepted
    completed         the help was given; hours logged
    unmatched         matching found nobody: the team needs another way
    cancelled         ended (consent withdrawn, concern closed, person erased, ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from qn_infra.errors import Conflict, Forbidden, Invalid, NotFound


class HelpStatus(StrEnum):
    NEEDS_PERSON = "needs_person"
    AWAITING_CONSENT = "awaiting_consent"
    REQUESTED = "requested"
    MATCHED = "matched"
    COMPLETED = "completed"
    UNMATCHED = "unmatched"
    CANCELLED = "cancelled"


HELD = (HelpStatus.NEEDS_PERSON, HelpStatus.AWAITING_CONSENT)
"""Still in intake: matching never saw it."""
WITH_MATCHING = (HelpStatus.REQUESTED, HelpStatus.MATCHED)
FINAL = (HelpStatus.COMPLETED, HelpStatus.UNMATCHED, HelpStatus.CANCELLED)


class AskedBy(StrEnum):
    ROUTING = "routing"
    YOUTH_OFFICE = "youth_office"


LABELS: dict[HelpStatus, tuple[str, str]] = {
    HelpStatus.NEEDS_PERSON: ("Person fehlt", "Person missing"),
    HelpStatus.AWAITING_CONSENT: ("Einwilligung fehlt", "Consent missing"),
    HelpStatus.REQUESTED: ("Suche läuft", "Looking for a volunteer"),
    HelpStatus.MATCHED: ("Ehrenamtliche:r gefunden", "Volunteer found"),
    HelpStatus.COMPLETED: ("Hilfe geleistet", "Help given"),
    HelpStatus.UNMATCHED: ("Niemand gefunden", "Nobody found"),
    HelpStatus.CANCELLED: ("Abgebrochen", "Cancelled"),
}


HELP_KINDS: dict[str, tuple[str, str]] = {
    "shopping": ("Einkaufen", "Shopping"),
    "small_repairs": ("Kleine Reparaturen", "Small repairs"),
    "escort": ("Begleitung zu Arzt oder Amt", "Escort to a doctor or an office"),
    "walk": ("Spaziergang", "A walk"),
    "reading": ("Vorlesen", "Reading aloud"),
    "company": ("Gesellschaft leisten", "Company"),
    "digital_help": ("Digitale Hilfe", "Digital help"),
    "paperwork": ("Hilfe mit Papieren", "Help with paperwork"),
}
"""Labels of the help kinds routing and the youth office ask for; an unknown kind shows its code."""


def help_kind_label(code: str) -> tuple[str, str]:
    return HELP_KINDS.get(code, (code, code))


@dataclass(frozen=True)
class WeeklySlot:
    """Recurring help: the same weekly window in the city's local time, e.g. Tuesdays 10:00-11:30.
    Matching proposes only volunteers available then, and the one who accepts keeps the series."""

    weekday: str
    starts: time
    ends: time

    def as_dict(self) -> dict[str, str]:
        return {"weekday": self.weekday, "starts": self.starts.strftime("%H:%M"), "ends": self.ends.strftime("%H:%M")}


class SlotInvalid(Invalid):
    code = "weekly_slot_invalid"


def check_weekly_slot(slot: WeeklySlot) -> WeeklySlot:
    """A window that ends before it starts (or has no length) fits no volunteer: refused rather
    than sent to matching, where it would end as 'nobody found'."""
    if slot.ends <= slot.starts:
        raise SlotInvalid(
            f"Das Ende ({slot.ends:%H:%M}) muss nach dem Beginn ({slot.starts:%H:%M}) liegen.",
            f"The end ({slot.ends:%H:%M}) must be after the start ({slot.starts:%H:%M}).",
            field="weekly_slot.ends",
        )
    return slot


def status_after(*, person_attached: bool, consent_active: bool) -> HelpStatus:
    """Where a new (or newly unblocked) request stands."""
    if not person_attached:
        return HelpStatus.NEEDS_PERSON
    return HelpStatus.REQUESTED if consent_active else HelpStatus.AWAITING_CONSENT


class HelpRequestNotFound(NotFound):
    code = "help_request_not_found"


class NotTheYouthOffice(Forbidden):
    code = "not_the_youth_office"


class HelpNotForThisConcern(Conflict):
    code = "help_not_for_this_concern"


def not_found(help_request_id: object) -> HelpRequestNotFound:
    return HelpRequestNotFound(
        f"Hilfeanfrage {help_request_id} gibt es nicht.",
        f"Help request {help_request_id} does not exist.",
        field="help_request_id",
    )


class NotYourTask(Forbidden):
    code = "not_your_task"


class TaskEnded(Forbidden):
    code = "task_ended"


def not_your_task() -> NotYourTask:
    return NotYourTask(
        "Diese Hilfe haben Sie nicht übernommen: Name und Adresse sieht nur, wer sie angenommen hat.",
        "You have not taken this help on: only who accepted it sees the name and address.",
        extra={"reason": "not_your_task"},
    )


def task_ended(reason: str | None) -> TaskEnded:
    return TaskEnded(
        "Diese Hilfe ist abgeschlossen oder abgesagt; die Adresse ist nicht mehr einsehbar.",
        "This help is completed or called off; the address can no longer be read.",
        extra={"reason": "task_ended", "ended_reason": reason},
    )


def no_pseudonym_key() -> NotYourTask:
    return NotYourTask(
        "Intake kann nicht erkennen, wer diese Hilfe übernommen hat: der Schlüssel für Anmelde-Pseudonyme ist "
        "nicht eingerichtet. Bitte die Administration fragen.",
        "Intake cannot tell who took this help on: the key for login pseudonyms is not configured. Please ask "
        "your administrator.",
        extra={"reason": "pseudonym_key_missing"},
    )
