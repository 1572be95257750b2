"""Scheduling's calendar work, each against a baseline measured in the same run.

1. Checking a two-year weekly series against 10,000 existing bookings of the same site: the
   service's whole planning step (read the site and the room's bookings from SQLite, expand the
   RFC 5545 rule, place each occurrence against Saxony-Anhalt's holidays, closures and opening
   hours, find collisions) against the raw `dateutil` expansion of the same rule plus an interval
   check of the same occurrences against the same bookings (already in memory) as one sorted pass.
2. Expanding every offer of a 50-site city for one week: the public programme's query (every
   occurrence of the week with its offer and site) against expanding every offer's rule for that
   week with `dateutil`.
3. Generating a site's iCalendar feed (its offers with their rules, exceptions and overrides,
   read from the database, written with `icalendar`) against expanding the same offers' rules in
   full with `dateutil` -- as a calendar program's repeated poll finds it (each offer's VEVENTs
   serialised once and reused until the offer changes), and as if every offer had just changed.

The data live in a fresh SQLite file (the embedded default) written through the service's own
handlers. `run()` returns the figures; `python bench/scheduling.py` prints them."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SITES, EXISTING_BOOKINGS, ROUNDS = 50, 10_000, 7
NOW = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)


def _median_seconds(work: Callable[[], object], rounds: int = ROUNDS) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _service(directory: Path) -> dict[str, Any]:
    from qn_infra.auth import Principal
    from qn_infra.clock import FixedClock
    from qn_infra.database import make_engine, make_sessionmaker, migrate
    from qn_infra.unit_of_work import UnitOfWork
    from qn_scheduling.city import load_city
    from qn_scheduling.db import OUTBOX, PROCESSED_EVENTS, import_models
    from qn_scheduling.sites.handlers import SchedulingContext

    import_models()
    url = f"sqlite:///{directory / 'scheduling.db'}"
    migrate(url, REPO / "services" / "scheduling" / "qn_scheduling" / "migrations")
    sessions = make_sessionmaker(make_engine(url))
    clock = FixedClock(NOW)
    return {
        "uow": lambda: UnitOfWork(sessions, OUTBOX, PROCESSED_EVENTS, clock=clock),
        "ctx": SchedulingContext(city=load_city(REPO / "deploy" / "demo-city")),
        "coordinator": Principal("bench", frozenset({"coordinator"}), org="drk-dessau"),
    }


def _site(service: dict[str, Any], site_id: str) -> None:
    from qn_contracts.vocabulary import RoomKind, Weekday
    from qn_scheduling.sites import domain
    from qn_scheduling.sites.handlers import put_site

    kinds = {
        "buero": RoomKind.OFFICE,
        "beratung-traeger": RoomKind.COUNSELLING,
        "kueche": RoomKind.KITCHEN,
        "gruppenraum": RoomKind.GROUP,
        "begegnungsraum": RoomKind.MEETING,
        "offener-bereich": RoomKind.OPEN_AREA,
    }
    rooms = tuple(domain.RoomSpec(room_id, room_id, kind, 10) for room_id, kind in kinds.items())
    hours = tuple(domain.Window(day, clock_time(7), clock_time(21)) for day in Weekday)
    spec = domain.SiteSpec(site_id, site_id, "innenstadt-sued", "drk-dessau", "Franzstraße 147, 06842 Dessau-Roßlau",
                           rooms, hours)  # fmt: skip
    put_site(spec, uow=service["uow"](), ctx=service["ctx"], now=NOW)


def _existing_bookings(service: dict[str, Any], site_id: str) -> list[tuple[datetime, datetime]]:
    """10,000 one-hour bookings spread over the site's rooms and two years, none overlapping in a
    room; returns those of the group room, where the series goes."""
    from qn_scheduling.bookings.models import Booking

    rng = random.Random(7)
    tz = service["ctx"].tz
    first = NOW.astimezone(tz).date() + timedelta(days=1)
    rooms = ("buero", "beratung-traeger", "kueche", "gruppenraum", "begegnungsraum", "offener-bereich")
    slots = rng.sample([(d, h, r) for d in range(730) for h in range(7, 21) for r in rooms], EXISTING_BOOKINGS)
    rows, group_room = [], []
    for day, hour, room in slots:
        start = datetime.combine(first + timedelta(days=day), clock_time(hour), tz).astimezone(UTC)
        rows.append(
            Booking(id=uuid.uuid4(), site_id=site_id, room_id=room, starts_at=start, ends_at=start + timedelta(hours=1),
                    title="Belegung", status="confirmed", booked_by="bench", created_at=NOW)
        )  # fmt: skip
        if room == "gruppenraum":
            group_room.append((start, start + timedelta(hours=1)))
    with service["uow"]() as uow:
        uow.session.add_all(rows)
        uow.commit()
    return sorted(group_room)


def _series_check(service: dict[str, Any]) -> dict[str, Any]:
    from dateutil.rrule import rrulestr

    from qn_scheduling.offers.calendar_rules import OnHoliday
    from qn_scheduling.offers.domain import When
    from qn_scheduling.offers.planning import plan_series, site_and_room
    from qn_scheduling.offers.recurrence import normalise_rule

    _site(service, "bench-site")
    existing = _existing_bookings(service, "bench-site")
    tz, ctx = service["ctx"].tz, service["ctx"]
    first_day = NOW.astimezone(tz).date() + timedelta(days=5)
    rule = normalise_rule(f"FREQ=WEEKLY;BYDAY=TU;UNTIL={first_day + timedelta(days=728):%Y%m%d}", tz)
    when = When("gruppenraum", first_day, clock_time(14, 30), clock_time(16), rule)
    found: dict[str, int] = {}

    def service_check() -> None:
        with service["uow"]() as uow:
            site, _ = site_and_room(uow, "bench-site", "gruppenraum", lock=False)
            plan = plan_series(when, OnHoliday.SKIP, site=site, uow=uow, ctx=ctx, not_before=NOW)
            found["occurrences"], found["collisions"] = len(plan.planned), len(plan.collisions)

    def baseline() -> None:
        starts = list(rrulestr(rule, dtstart=when.first_start(tz)))
        hits, first = 0, 0
        for start in starts:  # one sorted pass over both lists
            end = start + when.duration
            while first < len(existing) and existing[first][1] <= start:
                first += 1
            if first < len(existing) and existing[first][0] < end:
                hits += 1
        found["baseline_collisions"] = hits

    service_seconds, baseline_seconds = _median_seconds(service_check), _median_seconds(baseline)
    return {
        "occurrences": found["occurrences"],
        "collisions": found["collisions"],
        "baseline_collisions": found["baseline_collisions"],
        "service_ms": round(service_seconds * 1000, 2),
        "baseline_ms": round(baseline_seconds * 1000, 3),
        "ratio": round(service_seconds / baseline_seconds, 1),
    }


def _city(service: dict[str, Any]) -> list[str]:
    """50 sites, each with the Franztreff's demo week planned for a quarter."""
    sys.path.insert(0, str(REPO / "deploy" / "local"))
    from demo import offer_bodies

    from qn_scheduling.offers.handlers import create_offer
    from qn_scheduling.offers.schemas import NewOfferIn

    sites = [f"site-{n:02d}" for n in range(1, SITES + 1)]
    bodies = [
        body for site_id, body in offer_bodies(NOW.astimezone(service["ctx"].tz).date()) if site_id == "franztreff"
    ]
    for site_id in sites:
        _site(service, site_id)
        for body in bodies:
            short = {**body, "rrule": body["rrule"].split(";UNTIL=")[0] + ";COUNT=13"}
            offer = NewOfferIn.model_validate(short)
            create_offer(
                site_id,
                offer.details(),
                offer.when(),
                offer.on_holiday,
                skip_collisions=True,
                uow=service["uow"](),
                ctx=service["ctx"],
                principal=service["coordinator"],
                now=NOW,
            )
    return sites


def _week_and_feed(service: dict[str, Any]) -> dict[str, Any]:
    from dateutil.rrule import rrulestr
    from sqlalchemy import func, select

    from qn_scheduling.offers.models import Occurrence, Offer
    from qn_scheduling.programme import feeds, queries

    sites = _city(service)
    tz = service["ctx"].tz
    with service["uow"]() as uow:
        offers = list(uow.session.scalars(select(Offer)).all())
        occurrences = uow.session.scalar(select(func.count()).select_from(Occurrence))
        uow.session.expunge_all()
    monday = queries.week_of(NOW.astimezone(tz).date()) + timedelta(days=35)  # clear of Easter
    start = datetime.combine(monday, clock_time.min, tz)
    end = start + timedelta(days=7)
    shown: dict[str, int] = {}

    def programme() -> None:
        entries, _ = queries.week_programme(service["uow"](), monday=monday, filters=queries.Filters(), tz=tz)
        shown["entries"] = len(entries)

    def expand_week() -> None:
        shown["expanded"] = sum(
            len(rrulestr(o.rrule, dtstart=datetime.combine(o.first_day, o.starts, tz)).between(start, end, inc=True))
            for o in offers
        )

    own = [o for o in offers if o.site_id == sites[0]]

    def feed() -> None:
        series = queries.feed_series(service["uow"](), site_id=sites[0])
        shown["feed_bytes"] = len(feeds.calendar(sites[0], series, tz, stamp=NOW))

    def feed_cold() -> None:  # as if every offer had just changed: each VEVENT written afresh
        feeds._events_ical.cache_clear()
        feed()

    def expand_site() -> None:
        shown["site_occurrences"] = sum(
            len(list(rrulestr(o.rrule, dtstart=datetime.combine(o.first_day, o.starts, tz)))) for o in own
        )

    week_s, week_base = _median_seconds(programme), _median_seconds(expand_week)
    cold_s = _median_seconds(feed_cold)
    feed_s, feed_base = _median_seconds(feed), _median_seconds(expand_site)
    return {
        "sites": len(sites),
        "offers": len(offers),
        "occurrences": occurrences,
        "week_entries": shown["entries"],
        "week_expanded": shown["expanded"],
        "week_ms": round(week_s * 1000, 2),
        "week_baseline_ms": round(week_base * 1000, 2),
        "week_ratio": round(week_s / week_base, 1),
        "feed_offers": len(own),
        "feed_occurrences": shown["site_occurrences"],
        "feed_kib": round(shown["feed_bytes"] / 1024, 1),
        "feed_ms": round(feed_s * 1000, 2),
        "feed_baseline_ms": round(feed_base * 1000, 3),
        "feed_ratio": round(feed_s / feed_base, 1),
        "feed_cold_ms": round(cold_s * 1000, 2),
        "feed_cold_ratio": round(cold_s / feed_base, 1),
    }


def run() -> dict[str, Any]:
    from qn_infra.logs import configure_logging

    configure_logging("bench", level="WARNING")  # the handlers log every offer at INFO
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        series = _series_check(_service(Path(first)))
        city = _week_and_feed(_service(Path(second)))
    return {"series": series, "city": city}


def report(figures: dict[str, Any]) -> str:
    s, c = figures["series"], figures["city"]
    return "\n".join(
        [
            f"  series check: {s['occurrences']} weekly occurrences (two years) against {EXISTING_BOOKINGS:,} bookings "
            f"of the site ({s['collisions']} collide; the baseline, which skips no holiday, "
            f"finds {s['baseline_collisions']})",
            f"    service {s['service_ms']} ms, baseline (rrule + one sorted pass) {s['baseline_ms']} ms, "
            f"ratio {s['ratio']}x",
            f"  one week of a {c['sites']}-site city: {c['offers']} offers, {c['occurrences']:,} occurrences stored; "
            f"{c['week_entries']} in the week (rrule finds {c['week_expanded']})",
            f"    programme query {c['week_ms']} ms, baseline (rrule between) {c['week_baseline_ms']} ms, "
            f"ratio {c['week_ratio']}x",
            f"  a site's feed: {c['feed_offers']} offers, {c['feed_occurrences']} occurrences, {c['feed_kib']} KiB",
            f"    feed {c['feed_ms']} ms, baseline (rrule, every occurrence) {c['feed_baseline_ms']} ms, "
            f"ratio {c['feed_ratio']}x (a calendar program's poll; with every offer just changed: "
            f"{c['feed_cold_ms']} ms, {c['feed_cold_ratio']}x)",
        ]
    )


if __name__ == "__main__":
    print(report(run()))
