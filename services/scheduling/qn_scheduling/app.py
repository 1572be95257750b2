"""Scheduling's composition root: the only place that builds settings, runtime and tables."""

from __future__ import annotations

from fastapi import FastAPI

from qn_infra.clock import Clock
from qn_infra.errors import Conflict, Invalid, NotFound
from qn_infra.runtime import ServiceRuntime
from qn_infra.service_app import create_service_app

from . import __version__
from .access import POLICY
from .bookings import api as bookings_api
from .city import load_city
from .config import SchedulingSettings
from .db import OUTBOX, PROCESSED_EVENTS, import_models
from .offers import api as offers_api
from .offers import reconfirmation
from .programme import api as programme_api
from .registrations import api as registrations_api
from .room_requests import api as room_requests_api
from .sites import api as sites_api
from .sites.handlers import SchedulingContext

ERROR_STATUSES = {Invalid: 422, NotFound: 404, Conflict: 409}

DESCRIPTION = """Scheduling for drop-in centres (Angebotstreffs): sites with rooms and opening hours,
and room bookings for counselling hours, groups and meals. A booking that collides with another
gets 409 naming that booking. Opening hours are local time in the city's time zone.

Offers (lunch table, counselling hours, groups) recur by RFC 5545 rules in local wall-clock time;
each makes its occurrences and their room bookings, skipping the public holidays of the city's
federal state and the site's closures unless told otherwise."""


def create_app(settings: SchedulingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The service's app; `clock` is where its rules get the time (the system clock by default)."""
    settings = settings or SchedulingSettings()
    import_models()
    city = load_city(settings.city_dir)
    runtime = ServiceRuntime(settings, outbox=OUTBOX, processed=PROCESSED_EVENTS, clock=clock)
    app = create_service_app(
        runtime,
        title="Quartiersnetz – Scheduling",
        version=__version__,
        description=DESCRIPTION,
        routers=[
            sites_api.router,
            bookings_api.router,
            room_requests_api.router,
            offers_api.router,
            registrations_api.router,
            programme_api.router,
        ],
        error_statuses=ERROR_STATUSES,
        policy=POLICY,
    )
    context = SchedulingContext(city=city)
    app.state.scheduling = context
    reconfirmation.register(runtime, lambda: context)
    return app
