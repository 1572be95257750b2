"""Intake's composition root: the only place that builds settings, engine, broker and tables."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from qn_infra.clock import Clock
from qn_infra.errors import Conflict, Invalid, NotFound
from qn_infra.logs import get_logger
from qn_infra.pseudonyms import pseudonyms_for
from qn_infra.runtime import ServiceRuntime
from qn_infra.service_app import create_service_app

from . import __version__, city_api
from .access import POLICY
from .addresses import api as addresses_api
from .addresses import store
from .addresses.directory import StreetDirectory
from .addresses.importer import directory_file
from .addresses.polygons import PolygonError, QuarterPolygons
from .audit import api as audit_api
from .bus import MessageBus
from .city import City, CityConfigError, load_city
from .concerns import api as concerns_api
from .config import IntakeSettings
from .consent import api as consent_api
from .context import IntakeContext
from .db import OUTBOX, PROCESSED_EVENTS, import_models
from .help_requests import api as help_requests_api
from .persons import api as persons_api
from .queue import api as queue_api
from .reactions import consume_matching, wire_reactions
from .referrals import api as referrals_api
from .referrals import jobs as referral_jobs
from .routing import RoutingTable, load_routing_table
from .signals import api as signals_api
from .signals import jobs as signal_jobs

log = get_logger(__name__)

ERROR_STATUSES = {Invalid: 422, NotFound: 404, Conflict: 409}

DESCRIPTION = """Intake, the first point of contact ("one number for all help"): records concerns
from every channel, resolves the address to a quarter, routes the concern to a carrier, office or
team, and asks for neighbourly help. Personal data stays here; events carry pseudonymous
references only."""


def create_app(settings: IntakeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The service's app; `clock` is where its rules get the time (the system clock by default)."""
    settings = settings or IntakeSettings()
    import_models()
    city = load_city(settings.city_dir)
    routing = load_routing_table(city.routing_table, city) if city.routing_table else RoutingTable(())
    runtime = ServiceRuntime(settings, outbox=OUTBOX, processed=PROCESSED_EVENTS, clock=clock)
    polygons = _polygons(city)
    bus = MessageBus()
    wire_reactions(bus, city)
    consume_matching(runtime)
    pseudonyms = pseudonyms_for(
        secret=settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None,
        file=settings.pseudonym_key_file,
        issuer=settings.auth_issuer,
    )
    if pseudonyms is None:
        # nobody can then read an address for neighbourly help (403, reason pseudonym_key_missing)
        log.warning("pseudonym_key_missing", file=str(settings.pseudonym_key_file))
    context = IntakeContext(
        city=city, directory=StreetDirectory(), routing=routing, bus=bus, polygons=polygons, pseudonyms=pseudonyms
    )

    app = create_service_app(
        runtime,
        title="Quartiersnetz – Intake",
        version=__version__,
        description=DESCRIPTION,
        routers=[
            concerns_api.router,
            city_api.router,
            persons_api.router,
            audit_api.router,
            consent_api.router,
            referrals_api.router,
            help_requests_api.router,
            signals_api.router,
            queue_api.router,
            addresses_api.router,
        ],
        error_statuses=ERROR_STATUSES,
        policy=POLICY,
    )
    app.state.intake = context

    def load_street_directory() -> None:
        sync_street_directory(runtime.sessions, city)
        quarter_names = {q.id: q.name for q in city.quarters.values()}
        directory = store.load_directory(runtime.sessions, quarter_names=quarter_names)
        app.state.intake = IntakeContext(
            city=city, directory=directory, routing=routing, bus=bus, polygons=polygons, pseudonyms=pseudonyms
        )
        log.info("street_directory_loaded", addresses=app.state.intake.directory.size)

    runtime.on_start.append(load_street_directory)
    referral_jobs.register(runtime, lambda: app.state.intake)
    signal_jobs.register(runtime, lambda: app.state.intake)
    return app


def _polygons(city: City) -> QuarterPolygons | None:
    """The quarters' outlines, when the city configured any (coordinates then resolve to quarters)."""
    if not any(q.polygon for q in city.quarters.values()):
        return None
    try:
        return QuarterPolygons.from_city(city)
    except PolygonError as exc:
        raise CityConfigError(f"{city.directory / 'city.toml'}: {exc}") from exc


def sync_street_directory(sessions: sessionmaker[Session], city: City) -> None:
    """Imports the city's configured directory file when it is new or changed. A directory
    imported by hand (`import-streets`) from another file is left alone."""
    if city.street_directory is None:
        return
    source = directory_file(city.street_directory)
    with sessions() as session:
        current = store.current_import(session)
    if current is not None and (current.source != source.path.name or current.sha256 == source.sha256()):
        return
    rows = store.replace_directory(sessions, source)
    log.info("street_directory_imported", source=source.path.name, addresses=rows)
