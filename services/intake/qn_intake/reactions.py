"""Who reacts to what inside intake (the bus) and to which of matching's events (consumers):
the wiring, in one place, so that the composition root stays short and every reaction is seen."""

from __future__ import annotations

from functools import partial

from qn_contracts.matching import (
    AssignmentCompleted,
    HelpRequestCancelled,
    HelpRequestUnmatched,
    MatchAccepted,
    MatchCancelled,
    MatchCompleted,
)
from qn_infra.runtime import ServiceRuntime

from . import internal_events as happened
from .bus import MessageBus
from .city import City
from .concerns import handlers as concerns
from .consent import handlers as consent
from .help_requests import handlers as help_requests
from .persons import erasure as persons
from .referrals import handlers as referrals
from .signals import handlers as signals


def wire_reactions(bus: MessageBus, city: City) -> None:
    """Each area reacts on its own tables; the order does not matter (one transaction)."""
    for forget in (
        persons.forget_person,
        concerns.forget_person,
        consent.on_person_erased,
        referrals.on_person_erased,
        help_requests.on_person_erased,
        signals.forget_person,
    ):
        bus.on(happened.PersonErased, forget)
    bus.on(happened.ConsentGiven, partial(referrals.release_for_consent, policy=city.policy))
    bus.on(happened.ConsentGiven, help_requests.release_for_consent)
    bus.on(happened.ConsentEnded, referrals.on_consent_ended)
    bus.on(happened.ConsentEnded, help_requests.on_consent_ended)
    bus.on(happened.ConcernClosed, referrals.on_concern_closed)
    bus.on(happened.ConcernClosed, help_requests.on_concern_closed)
    bus.on(happened.PersonLinked, help_requests.on_person_linked)


def consume_matching(runtime: ServiceRuntime) -> None:
    """Matching's answers close the loop: the team sees whether its help request found someone."""
    runtime.consume("match-accepted", MatchAccepted, help_requests.on_match_accepted)
    runtime.consume("assignment-completed", AssignmentCompleted, help_requests.on_assignment_completed)
    runtime.consume("help-request-unmatched", HelpRequestUnmatched, help_requests.on_help_unmatched)
    runtime.consume("help-request-cancelled", HelpRequestCancelled, help_requests.on_help_cancelled)
    # a task called off or marked done ends the volunteer's access to the address (decision 0013)
    runtime.consume("match-cancelled", MatchCancelled, help_requests.on_match_cancelled)
    runtime.consume("match-completed", MatchCompleted, help_requests.on_match_completed)
