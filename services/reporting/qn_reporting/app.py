"""Reporting's composition root: the only place that builds settings, engine, broker and consumers."""

from __future__ import annotations

from fastapi import FastAPI

from qn_infra.clock import Clock
from qn_infra.errors import Conflict, Invalid, NotFound
from qn_infra.runtime import ServiceRuntime
from qn_infra.service_app import create_service_app

from . import __version__, warm_up
from .access import POLICY
from .breakdowns import api as breakdowns_api
from .breakdowns.handlers import ProtectedBreakdowns
from .city import load_city
from .config import ReportingSettings
from .dashboard import api as dashboard_api
from .db import OUTBOX, PROCESSED_EVENTS, import_models
from .figures import api as figures_api
from .figures import handlers
from .figures.catalogue import CONSUMED_PRODUCERS
from .reports import api as reports_api
from .tables import api as tables_api
from .tables.handlers import ProtectedCubes

ERROR_STATUSES = {Invalid: 422, NotFound: 404, Conflict: 409}

DESCRIPTION = """Reporting, the sealed statistics office: consumes every event of intake, matching
and scheduling and keeps only aggregates -- counts and sums per month (Europe/Berlin), quarter and
topic. No person reference, concern id or other identifier is stored, and nothing is fed back.
The aggregates can be rebuilt from the event streams (`python -m qn_reporting rebuild`)."""


def create_app(settings: ReportingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The service's app; `clock` is where its rules get the time (the system clock by default)."""
    settings = settings or ReportingSettings()
    import_models()
    runtime = ServiceRuntime(settings, outbox=OUTBOX, processed=PROCESSED_EVENTS, clock=clock)
    for producer in CONSUMED_PRODUCERS:
        # one durable consumer per producing stream: `reporting-<producer>-events`
        runtime.consume_batch(f"{producer}-events", f"qn.v1.{producer}.>", handlers.record_events)
    app = create_service_app(
        runtime,
        title="Quartiersnetz – Reporting",
        version=__version__,
        description=DESCRIPTION,
        routers=[
            figures_api.router,
            tables_api.router,
            breakdowns_api.router,
            dashboard_api.router,
            reports_api.router,
        ],
        error_statuses=ERROR_STATUSES,
        policy=POLICY,
    )
    city = load_city(settings.city_dir)
    app.state.protected_cubes = ProtectedCubes(city, settings.disclosure_minimum, settings.publication())
    app.state.protected_breakdowns = ProtectedBreakdowns(city, settings.publication(), app.state.protected_cubes)
    if settings.warm_up_figures:
        warm_up.start(runtime, app.state.protected_cubes, app.state.protected_breakdowns)
    return app
