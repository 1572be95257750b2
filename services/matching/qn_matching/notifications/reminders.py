"""When a reminder is due: plain rules on instants and days, no framework, no database.

Four reminders, each sent once: before an agreed appointment (to the volunteer); before an
unanswered proposal times out (to the volunteer); before a police certificate's re-check date
(to the volunteer and the coordinator); for hours that wait too long for approval (to the
coordinator)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class ReminderKind(StrEnum):
    TASK_STARTS = "task_starts"
    PROPOSAL_EXPIRES = "proposal_expires"
    VETTING_DUE = "vetting_due"
    HOURS_WAITING = "hours_waiting"


class To(StrEnum):
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"


class ReminderStatus(StrEnum):
    CLAIMED = "claimed"
    """Written before it was handed to the channel; stays so if the service stopped in between
    (at most once: a restart never sends it a second time)."""
    SENT = "sent"
    NO_ADDRESS = "no_address"
    """Nobody to send it to: the volunteer gave no e-mail address, or no coordinator mailbox is set."""
    FAILED = "failed"
    """The channel refused it; tried again on the next round."""
    GAVE_UP = "gave_up"


MAX_ATTEMPTS = 5
"""A reminder the channel refused this often is given up (an address that bounces for good)."""


@dataclass(frozen=True)
class Timings:
    task_before: timedelta
    proposal_before: timedelta
    vetting_before: timedelta
    hours_after: timedelta


def task_starts_soon(starts_at: datetime, now: datetime, timings: Timings) -> bool:
    """An appointment within the lead time, not yet begun."""
    return now < starts_at <= now + timings.task_before


def proposal_expires_soon(proposed_at: datetime, expires_at: datetime, now: datetime, timings: Timings) -> bool:
    """An open proposal whose answer time ends within the lead time -- unless the whole answer time
    is shorter than the lead: a reminder right after the proposal would only repeat it."""
    remind_from = expires_at - timings.proposal_before
    return proposed_at < remind_from <= now < expires_at


def vetting_due_soon(recheck_on: date, today: date, timings: Timings) -> bool:
    """A re-check date within the lead time, or already passed (reminded once all the same)."""
    return today >= recheck_on - timings.vetting_before


def hours_waiting_too_long(logged_at: datetime, now: datetime, timings: Timings) -> bool:
    return now - logged_at >= timings.hours_after


def reminder_key(kind: ReminderKind, to: To, *about: object) -> str:
    """Which reminder this is: a moved appointment or a new re-check date makes a new one."""
    return ":".join([kind.value, to.value, *(str(part) for part in about)])


def status_after_failure(attempts: int) -> ReminderStatus:
    return ReminderStatus.GAVE_UP if attempts >= MAX_ATTEMPTS else ReminderStatus.FAILED
