"""Periodic jobs of signals (being built)."""

from __future__ import annotations

from collections.abc import Callable

from qn_infra.runtime import ServiceRuntime

from ..context import IntakeContext


def register(runtime: ServiceRuntime, context: Callable[[], IntakeContext]) -> None:
    """Adds this area's periodic jobs to the runtime."""
