"""Matching's composition root: the only place that builds settings, runtime, consumers and jobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import FastAPI

from qn_contracts import EventMeta
from qn_contracts.intake import ConcernClosed, ConsentWithdrawn, HelpRequested, PersonErased
from qn_infra.clock import Clock
from qn_infra.errors import Conflict, Invalid, NotFound
from qn_infra.logs import get_logger
from qn_infra.pseudonyms import LoginPseudonyms, pseudonyms_for
from qn_infra.runtime import ServiceRuntime
from qn_infra.service_app import create_service_app
from qn_infra.unit_of_work import UnitOfWork

from . import __version__
from .access import POLICY
from .calendar import api as calendar_api
from .city import City, load_city
from .config import MatchingSettings
from .db import OUTBOX, PROCESSED_EVENTS, import_models
from .hours import api as hours_api
from .matches import api as matches_api
from .matches import coordination_api, stops
from .matches import handlers as matches
from .matches.kept_pool import KeptPool
from .notifications import api as notifications_api
from .notifications.email import SmtpNotifier
from .notifications.jobs import ReminderRound, send_due_reminders
from .notifications.reminders import Timings
from .volunteers import api as volunteers_api

log = get_logger(__name__)

ERROR_STATUSES = {Invalid: 422, NotFound: 404, Conflict: 409}

DESCRIPTION = """Matching, neighbourly help (Nachbarschaftshilfe): volunteers with skills, languages,
quarter, reach and weekly availability; help requests from intake are matched on hard constraints
(approved and active, within reach, every skill, a valid police-certificate check where the kind
needs one, under their cap, not away, some time) and ranked on soft ones (shared language, load,
earliest time);
the best volunteer is asked, and on a decline or no answer in time, the next. No match goes to the
coordinator. Names, contact details and e-mail addresses of volunteers stay here; events carry
`volunteer_ref` only. Reminders go out by e-mail, once each (before an agreed appointment, before a
proposal times out, before a police certificate's re-check date, for hours waiting for approval);
each volunteer can subscribe to their tasks through a secret, revocable calendar link."""


@dataclass(frozen=True)
class MatchingContext:
    """What the routes need besides a unit of work."""

    city: City
    skills: tuple[str, ...]
    policy: matches.MatchingPolicy
    vetting_valid_years: int
    pseudonyms: LoginPseudonyms | None = None
    """Login pseudonyms for `match.accepted` (decision 0013); None when no key is configured."""
    public_url: str = ""
    """How volunteers reach this API: the start of their calendar links."""


def create_app(settings: MatchingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The service's app; `clock` is where its rules get the time (the system clock by default)."""
    settings = settings or MatchingSettings()
    import_models()
    city = load_city(settings.city_dir)
    policy = matches.MatchingPolicy(
        offer_timeout=timedelta(hours=settings.offer_timeout_hours),
        timezone=city.timezone,
        city=city,
        vetted_kinds=frozenset(settings.vetted_help_kinds),
        max_reach_km=settings.max_reach_km,
        offer_timeouts={k: timedelta(hours=v) for k, v in settings.offer_timeout_hours_by_urgency.items()},
        max_attempts=settings.max_attempts,
        levels_wanted={kind: level.rank for kind, level in settings.skill_levels_wanted.items()},
    )
    runtime = ServiceRuntime(settings, outbox=OUTBOX, processed=PROCESSED_EVENTS, clock=clock)

    clock = runtime.clock
    # a batch at a time: the candidates of a quarter are read once, and again only after a change
    runtime.consume_batch(
        "help-requested",
        HelpRequested.spec.subject,
        partial(matches.receive_help_requests, policy=policy, clock=clock, kept=KeptPool(policy)),
        types=[HelpRequested],
        description=HelpRequested.spec.summary,
    )
    runtime.consume("consent-withdrawn", ConsentWithdrawn, at_delivery(clock, stops.on_consent_withdrawn))
    runtime.consume("person-erased", PersonErased, at_delivery(clock, stops.on_person_erased))
    runtime.consume("concern-closed", ConcernClosed, at_delivery(clock, stops.on_concern_closed))

    def expire_overdue_proposals() -> None:
        matches.expire_proposals(now=clock.now(), uow=runtime.unit_of_work(), policy=policy)

    runtime.every(settings.expiry_check_seconds, "expire-proposals", expire_overdue_proposals)
    schedule_reminders(runtime, settings, city)

    app = create_service_app(
        runtime,
        title="Quartiersnetz – Matching",
        version=__version__,
        description=DESCRIPTION,
        routers=[
            volunteers_api.router,
            matches_api.router,
            coordination_api.router,
            hours_api.router,
            calendar_api.router,
            notifications_api.router,
        ],
        error_statuses=ERROR_STATUSES,
        policy=POLICY,
    )
    pseudonyms = pseudonyms_for(
        secret=settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None,
        file=settings.pseudonym_key_file,
        issuer=settings.auth_issuer,
    )
    if pseudonyms is None:
        # volunteers can still accept; intake then lets nobody read the address (it fails closed)
        log.warning("pseudonym_key_missing", file=str(settings.pseudonym_key_file))
    app.state.matching = MatchingContext(
        city=city,
        skills=tuple(settings.skills),
        policy=policy,
        vetting_valid_years=settings.vetting_valid_years,
        pseudonyms=pseudonyms,
        public_url=settings.public_url,
    )
    return app


def reminder_round(settings: MatchingSettings, city: City) -> ReminderRound:
    return ReminderRound(
        timings=Timings(
            task_before=timedelta(hours=settings.remind_task_hours),
            proposal_before=timedelta(hours=settings.remind_proposal_hours),
            vetting_before=timedelta(days=settings.remind_vetting_days),
            hours_after=timedelta(days=settings.remind_hours_after_days),
        ),
        city=city,
        coordinator_email=settings.coordinator_email,
    )


def schedule_reminders(runtime: ServiceRuntime, settings: MatchingSettings, city: City) -> None:
    """The periodic reminder round, on the service's clock; without an SMTP host there is no
    channel, and no reminder is claimed (none is lost: they are found once mail is configured)."""
    notifier = SmtpNotifier.from_settings(settings, runtime.clock)
    if notifier is None:
        log.warning("reminders_off_no_smtp_host", setting=MatchingSettings.env_name("smtp_host"))
        return
    setup = reminder_round(settings, city)

    def send_reminders() -> None:
        send_due_reminders(new_uow=runtime.unit_of_work, notifier=notifier, now=runtime.clock.now(), setup=setup)

    runtime.every(settings.reminder_check_seconds, "send-reminders", send_reminders)


Consumer = Callable[[Any, EventMeta, UnitOfWork], None]


def at_delivery(clock: Clock, handler: Callable[..., None], **kwargs: Any) -> Consumer:
    """A consumer's handler, called with the service's time of handling as `now`: a proposal
    made while handling a (re)delivered event expires 48 hours after it was made."""

    def consume(event: Any, meta: EventMeta, uow: UnitOfWork) -> None:
        handler(event, meta, uow, now=clock.now(), **kwargs)

    return consume
