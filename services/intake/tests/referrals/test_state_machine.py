"""The closed loop's rules as plain functions: which status may follow which, which reasons fit,
and who is recorded as having decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qn_contracts.vocabulary import DecidedBy, ReferralReason, ReferralStatus, TargetKind
from qn_intake.referrals import domain

pytestmark = pytest.mark.unit

S = ReferralStatus
R = ReferralReason


def decide(
    current: S,
    to: S,
    reason: R | None = None,
    decided_by: DecidedBy | None = None,
    *,
    by_carrier: bool = False,
    target_kind: TargetKind = TargetKind.CARRIER,
) -> domain.Decision:
    return domain.decide(
        current, to, reason=reason, decided_by=decided_by, target_kind=target_kind, by_carrier=by_carrier
    )


EXPECTED = {
    S.REQUESTED: {S.ACCEPTED, S.REJECTED, S.CANCELLED, S.ENTERED_IN_ERROR},
    S.ACCEPTED: {S.IN_PROGRESS, S.CANCELLED, S.FAILED, S.ENTERED_IN_ERROR},
    S.IN_PROGRESS: {S.ON_HOLD, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR},
    S.ON_HOLD: {S.IN_PROGRESS, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR},
}
A_REASON = {S.REJECTED: R.NO_CAPACITY, S.FAILED: R.COULD_NOT_CONTACT, S.CANCELLED: R.REFERRED_ELSEWHERE}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("to", list(S))
def test_every_pair_of_statuses_is_allowed_exactly_as_the_closed_loop_says(current: S, to: S) -> None:
    if to in EXPECTED.get(current, set()):
        assert decide(current, to, A_REASON.get(to)).to_status == to
    else:
        with pytest.raises(domain.TransitionNotAllowed) as refused:
            decide(current, to, A_REASON.get(to))
        assert refused.value.extra["allowed"] == [s.value for s in S if s in EXPECTED.get(current, set())]


def test_completed_failed_cancelled_rejected_and_entered_in_error_are_final() -> None:
    assert {S.COMPLETED, S.FAILED, S.CANCELLED, S.REJECTED, S.ENTERED_IN_ERROR} == domain.FINAL
    assert all(S.ENTERED_IN_ERROR in domain.TRANSITIONS[s] for s in domain.OPEN)


def test_an_invalid_transition_names_the_allowed_ones_in_german_and_english() -> None:
    with pytest.raises(domain.TransitionNotAllowed) as refused:
        decide(S.REQUESTED, S.COMPLETED)
    assert refused.value.extra["allowed"] == ["accepted", "rejected", "cancelled", "entered_in_error"]
    assert "Möglich: accepted, rejected, cancelled, entered_in_error" in refused.value.de
    assert "Possible: accepted, rejected, cancelled, entered_in_error" in refused.value.en
    assert refused.value.field == "to_status"


def test_a_final_referral_says_so_and_allows_nothing() -> None:
    with pytest.raises(domain.TransitionNotAllowed) as refused:
        decide(S.COMPLETED, S.IN_PROGRESS)
    assert refused.value.extra["allowed"] == []
    assert "abgeschlossen" in refused.value.de and "final" in refused.value.en


@pytest.mark.parametrize("to", [S.REJECTED, S.FAILED, S.CANCELLED])
def test_declining_failing_or_cancelling_needs_a_reason(to: S) -> None:
    current = {S.REJECTED: S.REQUESTED, S.FAILED: S.ACCEPTED, S.CANCELLED: S.ACCEPTED}[to]
    with pytest.raises(domain.ReasonMissing) as refused:
        decide(current, to)
    assert refused.value.field == "reason"
    assert refused.value.extra["reasons"]


def test_got_help_fits_completion_but_not_a_decline() -> None:
    assert decide(S.IN_PROGRESS, S.COMPLETED, R.GOT_HELP).reason == R.GOT_HELP
    assert decide(S.IN_PROGRESS, S.COMPLETED).reason is None
    with pytest.raises(domain.ReasonNotFitting):
        decide(S.REQUESTED, S.REJECTED, R.GOT_HELP)


def test_only_the_referring_team_may_let_a_referral_expire() -> None:
    assert decide(S.REQUESTED, S.CANCELLED, R.EXPIRED).decided_by == DecidedBy.TEAM
    with pytest.raises(domain.ReasonNotFitting):
        decide(S.ACCEPTED, S.FAILED, R.EXPIRED)


def test_a_carrier_cannot_cancel_or_mark_entered_in_error() -> None:
    for to in (S.CANCELLED, S.ENTERED_IN_ERROR):
        with pytest.raises(domain.NotForCarriers):
            decide(S.REQUESTED, to, A_REASON.get(to), by_carrier=True)


def test_a_carriers_decline_is_recorded_as_the_carriers_and_a_residents_as_the_residents() -> None:
    assert decide(S.REQUESTED, S.REJECTED, R.NO_CAPACITY, by_carrier=True).decided_by == DecidedBy.CARRIER
    assert decide(S.REQUESTED, S.REJECTED, R.RESIDENT_DECLINED, by_carrier=True).decided_by == DecidedBy.RESIDENT
    assert decide(S.ACCEPTED, S.FAILED, R.COULD_NOT_CONTACT, by_carrier=True).decided_by == DecidedBy.CARRIER


def test_team_staff_recording_a_carriers_phone_answer_records_the_carrier() -> None:
    assert decide(S.REQUESTED, S.REJECTED, R.OUT_OF_AREA).decided_by == DecidedBy.CARRIER
    assert decide(S.REQUESTED, S.REJECTED, R.COULD_NOT_CONTACT).decided_by == DecidedBy.CARRIER
    own_team = decide(S.REQUESTED, S.REJECTED, R.COULD_NOT_CONTACT, target_kind=TargetKind.TEAM)
    assert own_team.decided_by == DecidedBy.TEAM
    assert decide(S.ACCEPTED, S.CANCELLED, R.REFERRED_ELSEWHERE).decided_by == DecidedBy.TEAM


def test_who_decided_cannot_contradict_the_reason() -> None:
    with pytest.raises(domain.DecidedByNotFitting):
        decide(S.REQUESTED, S.REJECTED, R.RESIDENT_DECLINED, DecidedBy.CARRIER)
    with pytest.raises(domain.DecidedByNotFitting):
        decide(S.REQUESTED, S.REJECTED, R.NO_CAPACITY, DecidedBy.RESIDENT)
    with pytest.raises(domain.DecidedByNotFitting):
        decide(S.REQUESTED, S.REJECTED, R.COULD_NOT_CONTACT, DecidedBy.TEAM, by_carrier=True)


def test_accepting_records_no_reason_and_no_decider() -> None:
    decision = decide(S.REQUESTED, S.ACCEPTED, by_carrier=True)
    assert (decision.reason, decision.decided_by) == (None, None)
    with pytest.raises(domain.ReasonNotFitting):
        decide(S.REQUESTED, S.ACCEPTED, R.GOT_HELP)
    with pytest.raises(domain.DecidedByNotFitting):
        decide(S.IN_PROGRESS, S.ON_HOLD, decided_by=DecidedBy.CARRIER)


def test_a_carrier_is_offered_only_what_carriers_may_set() -> None:
    assert domain.allowed_next(S.REQUESTED, carrier=True) == [S.ACCEPTED, S.REJECTED]
    assert domain.allowed_next(S.ON_HOLD, carrier=True) == [S.IN_PROGRESS, S.FAILED]


def test_a_referral_is_overdue_only_while_open_and_past_its_due_date() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    past, future = now - timedelta(minutes=1), now + timedelta(minutes=1)
    assert domain.is_overdue("requested", past, now)
    assert domain.is_overdue("on_hold", past, now)
    assert not domain.is_overdue("requested", future, now)
    assert not domain.is_overdue("completed", past, now)
