"""Periodic jobs of signals: the early-warning rules and the escalation of overdue follow-ups,
every `[signal_rules] check_every_minutes` (city.toml)."""

from __future__ import annotations

from collections.abc import Callable

from qn_infra.runtime import ServiceRuntime

from ..context import IntakeContext
from .rules import escalate_overdue_follow_ups, run_signal_rules


def register(runtime: ServiceRuntime, context: Callable[[], IntakeContext]) -> None:
    """Adds this area's periodic jobs to the runtime."""
    seconds = context().city.policy.rules_every_minutes * 60

    def rules() -> None:
        run_signal_rules(runtime.unit_of_work(), context().city, runtime.clock.now())

    def escalation() -> None:
        escalate_overdue_follow_ups(runtime.unit_of_work(), runtime.clock.now())

    runtime.every(seconds, "signal-rules", rules)
    runtime.every(seconds, "follow-up-escalation", escalation)
