"""The complete v1 catalogue: every event class, found by subject or CloudEvents type."""

from __future__ import annotations

from . import intake, matching, reporting, scheduling
from .event import Event

ALL_EVENTS: tuple[type[Event], ...] = (
    *intake.EVENTS,
    *matching.EVENTS,
    *scheduling.EVENTS,
    *reporting.EVENTS,
)

BY_TYPE: dict[str, type[Event]] = {cls.spec.type: cls for cls in ALL_EVENTS}
BY_SUBJECT: dict[str, type[Event]] = {cls.spec.subject: cls for cls in ALL_EVENTS}
"""Keyed by `spec.subject`: the subject, or for an addressed event its filter `<channel>.*`."""

if len(BY_TYPE) != len(ALL_EVENTS) or len(BY_SUBJECT) != len(ALL_EVENTS):
    raise RuntimeError("two event classes share a type or subject")


def event_class_for_type(ce_type: str) -> type[Event] | None:
    """The event class for a CloudEvents type, or None for a type this version does not know."""
    return BY_TYPE.get(ce_type)
