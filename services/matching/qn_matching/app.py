"""Matching's composition root: the only place that builds settings, runtime, consumers and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from fastapi import FastAPI

from qn_contracts.intake import ConcernClosed, ConsentWithdrawn, HelpRequested, PersonErased
from qn_infra.clock import Clock
from qn_infra.errors import Conflict, Invalid, NotFound
from qn_infra.runtime import ServiceRuntime
from qn_infra.service_app import create_service_app

from . import __version__
from .city import City, load_city
from .config import MatchingSettings
from .db import OUTBOX, PROCESSED_EVENTS, import_models
from .matches import api as matches_api
from .matches import handlers as matches
from .matches import stops
from .volunteers import api as volunteers_api

ERROR_STATUSES = {Invalid: 422, NotFound: 404, Conflict: 409}

DESCRIPTION = """Matching, neighbourly help (Nachbarschaftshilfe): volunteers with skills, languages,
quarter and weekly availability; help requests from intake are matched on hard constraints (same
quarter, every skill, some time) and ranked on soft ones (shared language, load, earliest time);
the best volunteer is asked, and on a decline or no answer in time, the next. No match goes to the
coordinator. Names and contact details of volunteers stay here; events carry `volunteer_ref` only."""


@dataclass(frozen=True)
class MatchingContext:
    """What the routes need besides a unit of work."""

    city: City
    skills: tuple[str, ...]
    policy: matches.MatchingPolicy


def create_app(settings: MatchingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The service's app; `clock` is where its rules get the time (the system clock by default)."""
    settings = settings or MatchingSettings()
    import_models()
    city = load_city(settings.city_dir)
    policy = matches.MatchingPolicy(offer_timeout=timedelta(hours=settings.offer_timeout_hours), timezone=city.timezone)
    runtime = ServiceRuntime(settings, outbox=OUTBOX, processed=PROCESSED_EVENTS, clock=clock)

    runtime.consume("help-requested", HelpRequested, partial(matches.receive_help_request, policy=policy))
    runtime.consume("consent-withdrawn", ConsentWithdrawn, stops.on_consent_withdrawn)
    runtime.consume("person-erased", PersonErased, stops.on_person_erased)
    runtime.consume("concern-closed", ConcernClosed, stops.on_concern_closed)

    def expire_overdue_proposals() -> None:
        matches.expire_proposals(now=datetime.now(UTC), uow=runtime.unit_of_work(), policy=policy)

    runtime.every(settings.expiry_check_seconds, "expire-proposals", expire_overdue_proposals)

    app = create_service_app(
        runtime,
        title="Quartiersnetz – Matching",
        version=__version__,
        description=DESCRIPTION,
        routers=[volunteers_api.router, matches_api.router],
        error_statuses=ERROR_STATUSES,
    )
    app.state.matching = MatchingContext(city=city, skills=tuple(settings.skills), policy=policy)
    return app
