"""Use cases of the statistics office: one verb per function."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qn_contracts import Event
from qn_contracts.scheduling import SiteUpdated
from qn_infra.consumers import Delivery
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..breakdowns import store as breakdowns
from . import domain, store
from .catalogue import COUNTS, SUMS, Metric

log = get_logger(__name__)


def record_events(deliveries: Sequence[Delivery[Event]], uow: UnitOfWork) -> None:
    """Adds a batch of events to the aggregates: the cells are added up in memory and each is
    written once. Runs inside the consumer's transaction, which also records the event ids: no
    commit here, so a redelivered event never counts twice.

    Events can arrive out of order (a retried one, or another replica's batch), so a booking may
    come before its site's `site.updated`: it is then counted without a quarter and moved to the
    site's quarter when the site is placed."""
    session = uow.session
    folded = store.Fold()
    finer = breakdowns.Fold()
    site_quarters: dict[str, str | None] = {}
    for delivery in deliveries:
        event, meta = delivery.event, delivery.meta
        finer.add(event, meta)
        if isinstance(event, SiteUpdated):
            # what this batch added so far must be in the tables before the site's cells move
            store.flush(session, folded)
            store.place_site(session, event.site_id, event.quarter_id)
            site_quarters[event.site_id] = event.quarter_id
        site_id = getattr(event, "site_id", None)
        if not site_id or getattr(event, "quarter_id", None):
            folded.add(domain.tally(event, meta))
            continue
        if site_id not in site_quarters:
            site_quarters[site_id] = store.known_site_quarter(session, site_id) or store.claim_site(session, site_id)
        quarter = site_quarters[site_id]
        tally = domain.tally(event, meta, site_quarter=quarter)
        folded.add(tally)
        if quarter is None:
            folded.hold(site_id, tally)
    store.flush(session, folded)
    breakdowns.write(session, finer)


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


def get_catalogue() -> Catalogue:
    """The metrics reporting knows."""
    return Catalogue(list(COUNTS.values()), list(SUMS.values()))
