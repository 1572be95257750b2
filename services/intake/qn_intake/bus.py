"""Intake's in-process message bus (as in cosmicpython): when something happens in one area that
concerns others -- a person erased, a consent withdrawn, a concern closed -- the area that did it
publishes a domain event, and each area's own handler reacts on its own tables, in the same unit
of work. No module changes another area's rows, so a new column cannot be forgotten by a module
that does not own it.

The handlers are wired in the composition root (`app.py`, `wire_reactions`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from qn_infra.unit_of_work import UnitOfWork

from .internal_events import Affected

E = TypeVar("E")
Reaction = Callable[[Any, UnitOfWork], Any]


class MessageBus:
    def __init__(self) -> None:
        self._reactions: dict[type, list[Reaction]] = defaultdict(list)

    def on(self, event_type: type[E], reaction: Callable[[E, UnitOfWork], Any]) -> None:
        """Lets `reaction(event, uow)` run whenever an event of `event_type` is published."""
        self._reactions[event_type].append(reaction)

    def publish(self, event: object, uow: UnitOfWork) -> list[Affected]:
        """Runs every reaction to `event` inside the caller's unit of work (the caller commits);
        returns what they report having changed."""
        affected = []
        for reaction in self._reactions[type(event)]:
            result = reaction(event, uow)
            if isinstance(result, Affected):
                affected.append(result)
        return affected

    def reactions_to(self, event_type: type) -> list[Reaction]:
        return list(self._reactions[event_type])
