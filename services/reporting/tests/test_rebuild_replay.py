"""The rebuild's in-memory fold against the live consumer, without a broker: the same messages go
once through the live path (`BatchProcessor` with `handlers.record_events`, batch by batch,
in a database) and once through the rebuild's (admit, decode, `Replay`, one write), and every
table and figure must come out the same."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from qn_contracts import Event, EventMeta, encode
from qn_contracts.intake import ConcernClosed, ConcernRecorded, ConsentWithdrawn, SignalRaised
from qn_contracts.matching import AssignmentCompleted
from qn_contracts.scheduling import BookingCancelled, BookingConfirmed, OccurrenceAttended, SiteUpdated
from qn_infra.consumers import BatchProcessor, RawMessage
from qn_infra.database import make_engine, migrate
from qn_reporting.app import create_app
from qn_reporting.config import ReportingSettings
from qn_reporting.db import PROCESSED_EVENTS
from qn_reporting.figures import domain
from qn_reporting.figures.catalogue import COUNTS as COUNT_METRICS
from qn_reporting.figures.catalogue import SUMS as SUM_METRICS
from qn_reporting.figures.replay import Replay
from qn_reporting.figures.store import COUNTS, SITES, SUMS, UNPLACED, figure_rows
from qn_reporting.rebuild import StreamRead, _handler, _write
from qn_testkit.auth import Tokens
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import MIGRATIONS

QUARTERS = ["rosslau", "innenstadt-sued", "ziebigk"]
SITES_ = ["rosseltreff", "franztreff", "neutreff", "kiez"]
TOPICS = ["einsamkeit", "alter", "wohnen", "schulden"]
OFFSETS = [
    UTC,
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
]


def _moment(rng: random.Random) -> datetime:
    # around month ends, where Berlin's month differs from UTC's, in offsets whole and half
    day = datetime(2026, rng.choice((1, 3, 10, 11, 12)), 1, tzinfo=UTC) - timedelta(hours=rng.randrange(0, 30))
    return (day + timedelta(minutes=rng.randrange(0, 120))).astimezone(rng.choice(OFFSETS))


def _event(rng: random.Random) -> Event:
    u = uuid.UUID(int=rng.getrandbits(128), version=4)
    topics = rng.sample(TOPICS, rng.randint(1, 3))
    when = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
    pick = rng.random()
    if pick < 0.25:
        topics = topics + topics[:1]  # a topic twice counts once
        return ConcernRecorded(
            concern_id=u, quarter_id=rng.choice(QUARTERS), channel="phone", topics=topics, urgency="soon"
        )
    if pick < 0.30:
        return ConcernClosed(concern_id=u, quarter_id=rng.choice(QUARTERS), topics=topics, outcome="resolved")
    if pick < 0.35:
        return SignalRaised(signal_id=u, quarter_id=rng.choice(QUARTERS), signal_type="loneliness", raised_by="rule")
    if pick < 0.38:
        return ConsentWithdrawn(person_ref=u, purpose="neighbourly_help")  # neither quarter nor topics
    if pick < 0.48:
        hours = Decimal(rng.randrange(0, 97)) / 4
        return AssignmentCompleted(
            match_id=u,
            help_request_id=u,
            volunteer_ref=u,
            quarter_id=rng.choice(QUARTERS),
            help_kind="shopping",
            hours=hours,
        )
    if pick < 0.70:
        return BookingConfirmed(
            booking_id=u,
            site_id=rng.choice(SITES_),
            room_id="gruppe",
            starts_at=when,
            ends_at=when + timedelta(hours=2),
        )
    if pick < 0.78:
        return BookingCancelled(booking_id=u, site_id=rng.choice(SITES_), room_id="gruppe")
    if pick < 0.88:
        return OccurrenceAttended(
            offer_id=u,
            site_id=rng.choice(SITES_),
            quarter_id=rng.choice(QUARTERS),
            occurrence_start=when,
            attendance=rng.randrange(0, 40),
            topics=topics,
        )
    # 'kiez' is never placed: its bookings stay without a quarter
    site = rng.choice(SITES_[:3])
    return SiteUpdated(site_id=site, name=site, quarter_id=rng.choice(QUARTERS), rooms=[], opening_hours=[])


def _raw(stream: str, subject: str, headers: dict[str, str], body: bytes) -> RawMessage:
    return RawMessage(subject=subject, stream=stream, headers=headers, body=body, delivered=1)


def messages(seed: int, n: int) -> dict[str, list[RawMessage]]:
    """Per stream, in stream order: events, second copies of some, unknown types, invalid ones."""
    rng = random.Random(seed)
    streams: dict[str, list[RawMessage]] = {"QN_INTAKE": [], "QN_MATCHING": [], "QN_SCHEDULING": []}
    for _ in range(n):
        event = _event(rng)
        message = encode(
            event, EventMeta.for_event(event, time=_moment(rng), event_id=uuid.UUID(int=rng.getrandbits(128)))
        )
        stream = f"QN_{event.spec.producer.upper()}"
        raw = _raw(stream, message.subject, message.headers, message.body)
        streams[stream].append(raw)
        roll = rng.random()
        if roll < 0.05:  # a second copy, stored again later (a producer retrying)
            streams[stream].append(raw)
        elif roll < 0.07:  # an invalid body under a fresh id
            broken = {**message.headers, "ce-id": str(uuid.UUID(int=rng.getrandbits(128)))}
            streams[stream].append(_raw(stream, message.subject, broken, b'{"site_id": "NOT VALID"}'))
        elif roll < 0.08:  # a type these contracts do not know
            producer = event.spec.producer
            unknown = {
                **message.headers,
                "ce-id": str(uuid.UUID(int=rng.getrandbits(128))),
                "ce-type": f"qn.{producer}.thing.happened.v1",
                "ce-dataschema": f"urn:quartiersnetz:schema:qn.v1.{producer}.thing.happened",
            }
            streams[stream].append(_raw(stream, f"qn.v1.{producer}.thing.happened", unknown, b"{}"))
    return streams


def _settings(tmp_path: Path, tokens: Tokens, databases: DatabaseFactory) -> ReportingSettings:
    url = databases.create("reporting")
    migrate(url, MIGRATIONS["reporting"])
    return ReportingSettings(database_url=url, data_dir=tmp_path, auth_jwks_file=tokens.jwks_file)


def _batches(items: list[RawMessage], rng: random.Random) -> Iterator[list[RawMessage]]:
    start = 0
    while start < len(items):
        size = rng.choice((1, 3, 17, 64))
        yield items[start : start + size]
        start += size


def tables(url: str) -> dict[str, object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            nonzero = {
                name: sorted(tuple(r) for r in connection.execute(select(table)) if r[-1])
                for name, table in (("counts", COUNTS), ("sums", SUMS))
            }
            return {
                **nonzero,
                "sites": sorted(tuple(r) for r in connection.execute(select(SITES))),
                "unplaced": sorted(tuple(r) for r in connection.execute(select(UNPLACED)) if r[-1]),
                "processed": sorted(
                    tuple(r)
                    for r in connection.execute(select(PROCESSED_EVENTS.c.consumer, PROCESSED_EVENTS.c.event_id))
                ),
            }
    finally:
        engine.dispose()


def figures(url: str) -> dict[str, object]:
    engine = make_engine(url)
    from sqlalchemy.orm import Session

    try:
        with Session(engine) as session:
            out = {}
            for kind, metrics in (("count", COUNT_METRICS), ("sum", SUM_METRICS)):
                for metric in metrics:
                    for group_by in (domain.DIMENSIONS, ("quarter_id",), ()):
                        query = domain.FigureQuery(kind, metric, group_by=group_by)  # type: ignore[arg-type]
                        out[f"{kind} {metric} {group_by}"] = figure_rows(session, query)
            return out
    finally:
        engine.dispose()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rebuild_fold_gives_the_tables_and_figures_the_live_consumer_gives(
    tmp_path, tokens, databases, seed
) -> None:
    streams = messages(seed, 600)
    live_settings = _settings(tmp_path, tokens, databases)
    live = create_app(live_settings).state.runtime
    specs = {spec.durable: spec for spec in live.messaging.consumers}
    rng = random.Random(seed)
    outcomes = []
    for stream, items in streams.items():
        spec = specs[f"reporting-{stream.removeprefix('QN_').lower()}-events"]
        process = BatchProcessor(live, spec, live_settings.consumer_max_event_bytes)
        for batch in _batches(items, rng):
            outcomes += [o.label for o in process(batch)]
    live.engine.dispose()
    assert {"processed", "duplicate", "ignored", "dead_lettered"} == set(outcomes), Counter(outcomes)

    rebuilt_settings = _settings(tmp_path, tokens, databases)
    rebuilt = create_app(rebuilt_settings).state.runtime
    replay, examples = Replay(), []
    reads = []
    for stream, items in streams.items():
        spec = specs[f"reporting-{stream.removeprefix('QN_').lower()}-events"]
        read = StreamRead(stream, spec.durable, len(items))
        handle = _handler(read, spec, replay, examples, rebuilt_settings.consumer_max_event_bytes)
        for item in items:
            handle(item.subject, item.headers, item.body)
        reads.append(read)
    now = rebuilt.clock.now()
    _write(rebuilt.engine, replay, replay.cells(), now)
    with rebuilt.engine.connect() as connection:  # written past SQLAlchemy, read back through it
        assert set(connection.execute(select(PROCESSED_EVENTS.c.processed_at)).scalars()) == {now}
    rebuilt.engine.dispose()

    # (the live consumer labels both copies "duplicate" when they come in one batch: only the sum compares)
    assert sum(r.events + r.duplicates for r in reads) == outcomes.count("processed") + outcomes.count("duplicate")
    assert sum(r.ignored for r in reads) == outcomes.count("ignored")
    assert sum(r.invalid for r in reads) == outcomes.count("dead_lettered") >= len(examples) > 0
    live_tables, rebuilt_tables = tables(live_settings.database_url), tables(rebuilt_settings.database_url)
    assert rebuilt_tables["unplaced"], "some events wait for a site that is never placed"
    assert rebuilt_tables == live_tables
    assert figures(rebuilt_settings.database_url) == figures(live_settings.database_url)


def test_the_fold_spreads_each_event_over_the_cells_domain_tally_gives_it() -> None:
    rng = random.Random(7)
    for _ in range(300):
        event = _event(rng)
        meta = EventMeta.for_event(event, time=_moment(rng))
        if getattr(event, "site_id", None) and not getattr(event, "quarter_id", None):
            continue  # placement is covered above
        replay = Replay()
        replay.add(event, meta)
        cells = replay.cells()
        expected = domain.tally(event, meta)
        assert cells.counts == {c: n for c, n in expected.counts.items() if n}
        assert cells.sums == {c: n for c, n in expected.sums.items() if n}


def test_the_month_is_remembered_only_where_an_hour_cannot_straddle_two_months() -> None:
    replay = Replay()
    for hours in range(-40, 40):
        for offset in [*OFFSETS, timezone(timedelta(hours=-3, minutes=-30))]:
            for minute in (0, 29, 31, 59):
                moment = (datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=hours, minutes=minute)).astimezone(offset)
                assert replay._month(moment) == domain.month_of(moment), moment
    naive = datetime(2026, 2, 28, 23, 30)
    assert replay._month(naive) == domain.month_of(naive) == "2026-03"
