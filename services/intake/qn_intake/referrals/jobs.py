"""Periodic jobs of referrals: escalate referrals that passed their due date."""

from __future__ import annotations

from collections.abc import Callable

from qn_infra.runtime import ServiceRuntime

from ..context import IntakeContext
from .handlers import escalate_overdue_referrals

ESCALATION_EVERY_SECONDS = 60


def register(runtime: ServiceRuntime, context: Callable[[], IntakeContext]) -> None:
    """Adds this area's periodic jobs to the runtime."""
    runtime.every(
        ESCALATION_EVERY_SECONDS,
        "referral-escalation",
        lambda: escalate_overdue_referrals(runtime.unit_of_work(), runtime.clock.now()),
    )
