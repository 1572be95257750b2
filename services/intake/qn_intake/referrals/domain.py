"""The closed loop of a referral as plain rules: which status may follow which, which reasons fit
which ending, and who decided. No framework, no database.

Before the loop, a referral of a known person to a carrier or office may wait in intake as
`awaiting_consent` (see legal_basis.py); its target never sees it, so only the team can call it
off there (cancelled, entered_in_error). Once it has left intake:

    requested   -> accepted | rejected | cancelled | entered_in_error
    accepted    -> in_progress | cancelled | failed | entered_in_error
    in_progress -> on_hold | completed | failed | cancelled | entered_in_error
    on_hold     -> in_progress | failed | cancelled | entered_in_error
    completed, failed, cancelled, rejected, entered_in_error: final
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from qn_contracts.vocabulary import DecidedBy, ReferralReason, ReferralStatus, TargetKind
from qn_infra.errors import Conflict, Forbidden, Invalid, NotFound

S = ReferralStatus
R = ReferralReason

TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    S.REQUESTED: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.CANCELLED, S.FAILED, S.ENTERED_IN_ERROR}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
    S.ENTERED_IN_ERROR: frozenset(),
}

FINAL: frozenset[ReferralStatus] = frozenset(s for s, nexts in TRANSITIONS.items() if not nexts)

ListedStatus = StrEnum(  # type: ignore[misc]
    "ListedStatus", {"AWAITING_CONSENT": "awaiting_consent", **{s.name: s.value for s in ReferralStatus}}
)
"""Every status a referral can have in intake: `awaiting_consent` while it is held here (its target
never saw it, so the contract's ReferralStatus does not know it), then the closed loop's."""
OPEN: frozenset[ReferralStatus] = frozenset(TRANSITIONS) - FINAL

# Why a status was reached. A carrier declines (rejected) or gives up (failed) for reasons on its
# side or the resident's; the team withdraws (cancelled) for reasons on the resident's side or
# because the referral lost its point. `got_help` is the one success reason; `expired` only the
# referring team can state, when it stops waiting.
REASONS: dict[ReferralStatus, frozenset[ReferralReason]] = {
    S.REJECTED: frozenset(
        {
            R.NOT_ELIGIBLE,
            R.NO_CAPACITY,
            R.OUT_OF_AREA,
            R.COULD_NOT_CONTACT,
            R.RESIDENT_DECLINED,
            R.NO_LONGER_INTERESTED,
            R.REFERRED_ELSEWHERE,
        }
    ),
    S.FAILED: frozenset(
        {
            R.NOT_ELIGIBLE,
            R.NO_CAPACITY,
            R.OUT_OF_AREA,
            R.COULD_NOT_CONTACT,
            R.RESIDENT_DECLINED,
            R.NO_LONGER_INTERESTED,
            R.REFERRED_ELSEWHERE,
        }
    ),
    S.CANCELLED: frozenset(
        {
            R.GOT_HELP,
            R.COULD_NOT_CONTACT,
            R.RESIDENT_DECLINED,
            R.NO_LONGER_INTERESTED,
            R.REFERRED_ELSEWHERE,
            R.EXPIRED,
        }
    ),
    S.COMPLETED: frozenset({R.GOT_HELP}),
}
REASON_REQUIRED: frozenset[ReferralStatus] = frozenset({S.REJECTED, S.FAILED, S.CANCELLED})

# Some reasons name who decided: only the resident declines for themselves, only the carrier
# judges eligibility, capacity and its own area.
DECIDER_OF_REASON: dict[ReferralReason, DecidedBy] = {
    R.RESIDENT_DECLINED: DecidedBy.RESIDENT,
    R.NO_LONGER_INTERESTED: DecidedBy.RESIDENT,
    R.NOT_ELIGIBLE: DecidedBy.CARRIER,
    R.NO_CAPACITY: DecidedBy.CARRIER,
    R.OUT_OF_AREA: DecidedBy.CARRIER,
}
DECIDED: frozenset[ReferralStatus] = frozenset({S.REJECTED, S.FAILED, S.CANCELLED, S.COMPLETED})
"""Statuses that record who declined or ended the referral."""

CARRIER_MAY_SET: frozenset[ReferralStatus] = frozenset(
    {S.ACCEPTED, S.REJECTED, S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.FAILED}
)
"""What a carrier answers; cancelling and entered_in_error belong to the referring team."""


@dataclass(frozen=True)
class Decision:
    """A transition that passed every rule, with who-decided filled in."""

    from_status: ReferralStatus
    to_status: ReferralStatus
    reason: ReferralReason | None
    decided_by: DecidedBy | None


class ReferralNotFound(NotFound):
    code = "referral_not_found"


class NotYourReferral(Forbidden):
    code = "not_your_referral"


class NotForCarriers(Forbidden):
    code = "status_not_for_carriers"


class ReferralClosed(Forbidden):
    code = "referral_closed"


class NoContactDetails(NotFound):
    code = "referral_without_contact"


class TransitionNotAllowed(Conflict):
    code = "referral_transition_not_allowed"


class ReasonMissing(Invalid):
    code = "referral_reason_missing"


class ReasonNotFitting(Invalid):
    code = "referral_reason_not_fitting"


class DecidedByNotFitting(Invalid):
    code = "referral_decided_by_not_fitting"


class ReferralHeld(Conflict):
    code = "referral_awaiting_consent"


class ReferralAlreadyReleased(Conflict):
    code = "referral_already_released"


def held(to_status: ReferralStatus) -> ReferralHeld:
    return ReferralHeld(
        f"Die Überweisung wartet auf eine Einwilligung oder Rechtsgrundlage und hat ihr Ziel noch nicht "
        f"erreicht; sie kann nur zurückgezogen werden (cancelled, entered_in_error), nicht '{to_status.value}'.",
        f"The referral awaits consent or a legal basis and has not reached its target; it can only be called "
        f"off (cancelled, entered_in_error), not set to '{to_status.value}'.",
        field="to_status",
        extra={"current_status": "awaiting_consent", "allowed": ["cancelled", "entered_in_error"]},
    )


def already_released(status: str) -> ReferralAlreadyReleased:
    return ReferralAlreadyReleased(
        f"Die Überweisung ist bereits weitergegeben (Status '{status}'); eine Rechtsgrundlage wird nur für "
        "wartende Überweisungen angegeben.",
        f"The referral has already gone out (status '{status}'); a legal basis is stated only for held ones.",
        extra={"current_status": status},
    )


def allowed_next(current: ReferralStatus, *, carrier: bool = False) -> list[ReferralStatus]:
    """The statuses that may follow `current`, in the order of the status list."""
    nexts = TRANSITIONS[current] & CARRIER_MAY_SET if carrier else TRANSITIONS[current]
    return [s for s in ReferralStatus if s in nexts]


def is_overdue(status: ReferralStatus | str, due_at: datetime, now: datetime) -> bool:
    return str(status) not in {s.value for s in FINAL} and due_at < now


def decide(
    current: ReferralStatus,
    to: ReferralStatus,
    *,
    reason: ReferralReason | None,
    decided_by: DecidedBy | None,
    target_kind: TargetKind,
    by_carrier: bool,
) -> Decision:
    """Checks one status change against the state machine, the reason list and the decider, and
    fills in who decided when the caller did not say: the reason's decider if it has one, else the
    carrier for what carriers decide (reject, fail, complete), else the team."""
    if to not in TRANSITIONS[current]:
        raise transition_not_allowed(current, to, by_carrier=by_carrier)
    if by_carrier and to not in CARRIER_MAY_SET:
        allowed = _codes(allowed_next(current, carrier=True))
        raise NotForCarriers(
            f"Träger können den Status '{to.value}' nicht setzen; das macht das überweisende Team. Möglich: {allowed}.",
            f"Carriers cannot set status '{to.value}'; the referring team does. Possible: {allowed}.",
            field="to_status",
        )
    _check_reason(to, reason)
    return Decision(current, to, reason, _decider(to, reason, decided_by, target_kind, by_carrier))


def transition_not_allowed(current: ReferralStatus, to: ReferralStatus, *, by_carrier: bool) -> TransitionNotAllowed:
    allowed = allowed_next(current)
    listed = _codes(allowed)
    final = current in FINAL
    return TransitionNotAllowed(
        f"Status '{current.value}' kann nicht zu '{to.value}' werden. "
        + ("Die Überweisung ist abgeschlossen." if final else f"Möglich: {listed}."),
        f"Status '{current.value}' cannot change to '{to.value}'. "
        + ("The referral is final." if final else f"Possible: {listed}."),
        field="to_status",
        extra={
            "current_status": current.value,
            "allowed": [s.value for s in allowed],
            **({"allowed_for_you": [s.value for s in allowed_next(current, carrier=True)]} if by_carrier else {}),
        },
    )


def _check_reason(to: ReferralStatus, reason: ReferralReason | None) -> None:
    fitting = [r for r in ReferralReason if r in REASONS.get(to, frozenset())]
    if reason is None:
        if to in REASON_REQUIRED:
            raise ReasonMissing(
                f"Für '{to.value}' ist ein Grund nötig: {_codes(fitting)}.",
                f"'{to.value}' needs a reason: {_codes(fitting)}.",
                field="reason",
                extra={"reasons": [r.value for r in fitting]},
            )
        return
    if reason not in REASONS.get(to, frozenset()):
        de_list = _codes(fitting) if fitting else "keiner"
        en_list = _codes(fitting) if fitting else "none"
        raise ReasonNotFitting(
            f"Der Grund '{reason.value}' passt nicht zu '{to.value}'. Passend: {de_list}.",
            f"Reason '{reason.value}' does not fit '{to.value}'. Fitting: {en_list}.",
            field="reason",
            extra={"reasons": [r.value for r in fitting]},
        )


def _decider(
    to: ReferralStatus,
    reason: ReferralReason | None,
    given: DecidedBy | None,
    target_kind: TargetKind,
    by_carrier: bool,
) -> DecidedBy | None:
    if to not in DECIDED:
        if given is not None:
            ends = _codes(sorted(DECIDED))
            raise DecidedByNotFitting(
                f"'decided_by' gilt nur für Ende oder Ablehnung ({ends}), nicht für '{to.value}'.",
                f"'decided_by' applies only to an ending or a decline ({ends}), not to '{to.value}'.",
                field="decided_by",
            )
        return None
    implied = DECIDER_OF_REASON.get(reason) if reason else None
    if given is not None:
        if implied is not None and given != implied:
            raise DecidedByNotFitting(
                f"Beim Grund '{reason}' entscheidet '{implied.value}', nicht '{given.value}'.",
                f"With reason '{reason}' the decision is the {implied.value}'s, not the {given.value}'s.",
                field="decided_by",
            )
        if by_carrier and given == DecidedBy.TEAM:
            raise DecidedByNotFitting(
                "Ein Träger kann nicht für das Team entscheiden: 'carrier' oder 'resident'.",
                "A carrier cannot decide for the team: 'carrier' or 'resident'.",
                field="decided_by",
            )
        return given
    if implied is not None:
        return implied
    carriers_call = to in (S.REJECTED, S.FAILED, S.COMPLETED) and target_kind != TargetKind.TEAM
    return DecidedBy.CARRIER if by_carrier or carriers_call else DecidedBy.TEAM


def _codes(items: list[ReferralStatus] | list[ReferralReason]) -> str:
    return ", ".join(i.value for i in items) or "-"
