"""Use cases of the statistics office: one verb per function."""

from __future__ import annotations

from dataclasses import dataclass

from qn_contracts import Event, EventMeta
from qn_contracts.scheduling import SiteUpdated
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from . import domain, store
from .catalogue import COUNTS, SUMS, Metric

log = get_logger(__name__)


def record_event(event: Event, meta: EventMeta, uow: UnitOfWork) -> None:
    """Adds an event to the aggregates. Runs inside the consumer's transaction, which also
    records the event id: no commit here, so a redelivered event never counts twice.

    Events of one stream are handled concurrently (a fetched batch at once) and may be retried,
    so a booking can arrive before its site's `site.updated`: it is then counted without a
    quarter and moved to the site's quarter when the site is placed."""
    session = uow.session
    if isinstance(event, SiteUpdated):
        store.place_site(session, event.site_id, event.quarter_id)
    site_id = getattr(event, "site_id", None)
    if not site_id or getattr(event, "quarter_id", None):
        store.add(session, domain.tally(event, meta))
        return
    quarter = store.known_site_quarter(session, site_id) or store.claim_site(session, site_id)
    tally = domain.tally(event, meta, site_quarter=quarter)
    store.add(session, tally)
    if quarter is None:
        store.hold_unplaced(session, site_id, tally)


def record_unknown(meta: EventMeta, uow: UnitOfWork) -> None:
    """Counts an event of a type these contracts do not know, under its type."""
    store.add(uow.session, domain.tally_unknown(meta))
    log.info("unknown_event_type_counted", type=meta.type, event_id=str(meta.id))


@dataclass(frozen=True)
class Figures:
    query: domain.FigureQuery
    rows: list[store.FigureRow]
    total: int


def get_figures(query: domain.FigureQuery, *, uow: UnitOfWork) -> Figures:
    """Counts (or sums, in hundredths) for one metric, broken down as the query asks."""
    with uow:
        rows = store.figure_rows(uow.session, query)
    return Figures(query, rows, query.total((row.topic, row.value) for row in rows))


@dataclass(frozen=True)
class Catalogue:
    counts: list[Metric]
    sums: list[Metric]
    unknown: list[str]


def get_catalogue(*, uow: UnitOfWork) -> Catalogue:
    """The metrics known so far, and the unknown event types that were counted."""
    with uow:
        unknown = store.unknown_metrics(uow.session)
    return Catalogue(list(COUNTS.values()), list(SUMS.values()), unknown)
