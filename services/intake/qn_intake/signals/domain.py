"""Rules for early-warning signals (Frühwarnsystem) and follow-up tasks. No framework, no database."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from qn_contracts.vocabulary import SignalType
from qn_infra.errors import Conflict, Invalid, NotFound

from ..city import Policy

DISCHARGE_RULE = "discharge-48h"
NO_CONTACT_RULE = "no-contact"


class FollowUpOutcome(StrEnum):
    """How a follow-up ends. `contacted` needs the person's follow_up_contact consent."""

    CONTACTED = "contacted"
    COULD_NOT_CONTACT = "could_not_contact"
    RESIDENT_DECLINED = "resident_declined"
    REFERRED = "referred"
    HANDLED_ELSEWHERE = "handled_elsewhere"
    NO_ACTION_NEEDED = "no_action_needed"


CONTACTED = FollowUpOutcome.CONTACTED.value
FOLLOW_UP_OUTCOMES = [o.value for o in FollowUpOutcome]

SIGNAL_LABELS: dict[SignalType, tuple[str, str]] = {
    SignalType.LONELINESS: ("Vereinsamung", "Loneliness"),
    SignalType.NEGLECT: ("Verwahrlosung", "Neglect"),
    SignalType.DISCHARGE_WITHOUT_FOLLOW_UP: ("Entlassung ohne Nachsorge", "Discharge without follow-up"),
    SignalType.NO_CONTACT: ("Kein Kontakt", "No contact"),
    SignalType.DEBT_CRISIS: ("Schuldenkrise", "Debt crisis"),
    SignalType.HOUSING_LOSS_RISK: ("Drohender Wohnungsverlust", "Risk of losing the home"),
}


class SignalNotFound(NotFound):
    code = "signal_not_found"


class FollowUpNotFound(NotFound):
    code = "follow_up_not_found"


class FollowUpAlreadyDone(Conflict):
    code = "follow_up_already_done"


class UnknownOutcome(Invalid):
    code = "unknown_outcome"


class SignalLocationInvalid(Invalid):
    code = "signal_location_invalid"


def follow_up_due(policy: Policy, signal_type: SignalType, raised_at: datetime) -> datetime:
    """When the team must have followed up on a signal (city.toml [follow_up_due_days])."""
    return raised_at + timedelta(days=policy.follow_up_due_days[signal_type])


def check_outcome(outcome: str) -> None:
    if outcome not in FOLLOW_UP_OUTCOMES:
        known = ", ".join(FOLLOW_UP_OUTCOMES)
        raise UnknownOutcome(
            f"Ergebnis '{outcome}' gibt es nicht. Erlaubt: {known}.",
            f"Unknown outcome '{outcome}'. Allowed: {known}.",
            field="outcome",
            extra={"allowed": FOLLOW_UP_OUTCOMES},
        )


def already_done(follow_up_id: uuid.UUID, outcome: str | None, done_at: datetime | None) -> FollowUpAlreadyDone:
    when = done_at.isoformat() if done_at else "?"
    return FollowUpAlreadyDone(
        f"Die Wiedervorlage {follow_up_id} ist bereits erledigt ({when}, Ergebnis '{outcome}').",
        f"Follow-up {follow_up_id} is already done ({when}, outcome '{outcome}').",
        field="follow_up_id",
        extra={"outcome": outcome, "done_at": when},
    )


def follow_up_not_found(follow_up_id: uuid.UUID) -> FollowUpNotFound:
    return FollowUpNotFound(
        f"Wiedervorlage {follow_up_id} gibt es nicht.",
        f"Follow-up {follow_up_id} does not exist.",
        field="follow_up_id",
    )


def signal_not_found(signal_id: uuid.UUID) -> SignalNotFound:
    return SignalNotFound(
        f"Signal {signal_id} gibt es nicht.", f"Signal {signal_id} does not exist.", field="signal_id"
    )


def location_problem(field: str, de: str, en: str) -> SignalLocationInvalid:
    return SignalLocationInvalid(de, en, field=field)


def last_contact(recorded_at: datetime, *contacts: datetime | None) -> datetime:
    """The latest contact with the person of a concern, or when it was recorded if never contacted."""
    return max([recorded_at, *(c for c in contacts if c is not None)])


def discharge_unanswered(recorded_at: datetime, contacts: list[datetime | None], policy: Policy, now: datetime) -> bool:
    """A discharge notice whose deadline passed without any follow-up contact since it was recorded."""
    deadline = recorded_at + timedelta(hours=policy.discharge_follow_up_hours)
    contacted = any(c is not None and c >= recorded_at for c in contacts)
    return now >= deadline and not contacted


def contact_lapsed(recorded_at: datetime, contacts: list[datetime | None], policy: Policy, now: datetime) -> bool:
    """An open concern whose last contact (or recording) lies `no_contact_days` or more back."""
    return now - last_contact(recorded_at, *contacts) >= timedelta(days=policy.no_contact_days)
