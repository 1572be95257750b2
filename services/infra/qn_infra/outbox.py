"""Transactional outbox: events are written to the service's own database in the same transaction
as the state change, and `OutboxRelay` publishes them to JetStream afterwards.

The relay checks every publish ack, retries with backoff while the broker is away, and keeps
published rows for `retention` so an operator can re-publish a range. Several replicas of a
service may run a relay each: rows are leased before publishing, and a message published twice
is dropped by the stream (same `Nats-Msg-Id`) or by the consumers' idempotency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import anyio
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from qn_contracts import Event, EventMeta, encode

from .clock import Clock, SystemClock
from .database import UtcDateTime
from .logs import current_causation_id, current_correlation_id, get_logger
from .metrics import EVENTS_PUBLISHED, OUTBOX_OLDEST_AGE, OUTBOX_PENDING, PUBLISH_FAILURES
from .tracing import add_trace_context

log = get_logger(__name__)

LEASE = timedelta(seconds=30)


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table, declared in a service's own metadata (and so in its migrations)."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("subject", String(255), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("published_at", UtcDateTime, nullable=True, index=True),
        Column("stream_sequence", BigInteger, nullable=True),
        Column("lease_until", UtcDateTime, nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )


def outbox_row(event: Event, now: datetime) -> tuple[EventMeta, dict[str, Any]]:
    """The outbox row of an event that happens `now`, with its metadata (correlation and causation
    from context)."""
    meta = EventMeta.for_event(
        event, correlation_id=current_correlation_id(), causation_id=current_causation_id(), time=now
    )
    message = encode(event, meta)
    headers = dict(message.headers)
    add_trace_context(headers)
    row = {
        "event_id": message.headers["ce-id"],
        "subject": message.subject,
        "headers": headers,
        "body": message.body,
        "created_at": now,
        "attempts": 0,
    }
    return meta, row


def write_outbox(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts staged rows in the session's transaction (one cached statement for all)."""
    if rows:
        session.connection().execute(table.insert(), rows)


@dataclass(frozen=True)
class Ack:
    stream: str
    sequence: int
    duplicate: bool


class Publisher(Protocol):
    async def publish_many(self, messages: Sequence[tuple[str, bytes, dict[str, str]]]) -> list[Ack | BaseException]:
        """Publishes in order; one ack or error per message."""
        ...


@dataclass(frozen=True)
class _Row:
    id: int
    event_id: str
    subject: str
    headers: dict[str, str]
    body: bytes


class OutboxRelay:
    """Publishes committed outbox rows in order; runs as a background task of the service."""

    def __init__(
        self,
        engine: Engine,
        table: Table,
        publisher: Publisher,
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 100,
        retention: timedelta = timedelta(days=7),
        service: str = "",
        gather_seconds: float = 0.05,
        clock: Clock | None = None,
    ) -> None:
        self._engine = engine
        self._table = table
        self._publisher = publisher
        self._poll = poll_seconds
        self._batch = batch_size
        self._retention = retention
        self._service = service
        self._gather = gather_seconds
        self._clock: Clock = clock or SystemClock()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._last_purge = datetime.min.replace(tzinfo=UTC)

    def notify(self) -> None:
        """Wakes the relay after a commit; safe to call from any thread."""
        loop, wake = self._loop, self._wake
        # a wake-up already on its way covers this commit too (saves a loop wake-up per request)
        if loop is not None and wake is not None and not wake.is_set() and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def stop(self) -> None:
        """Asks the relay to finish its current batch and return; safe to call from any thread.
        A stop that comes before `run()` began holds: `run()` then returns at once."""
        self._stopping = True
        self.notify()

    def reset(self) -> None:
        """Makes a stopped relay startable again (the runtime's start, before `run()`)."""
        self._stopping = False

    async def run(self) -> None:
        # the event belongs to the loop that runs the relay, which is only known here
        self._wake = wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        failures = 0
        while not self._stopping:
            try:
                published = await self.publish_pending()
                failures = 0
            except Exception as exc:  # noqa: BLE001 -- the relay must outlive any single failure
                failures += 1
                log.warning("outbox_relay_failed", error=repr(exc), failures=failures)
                published = 0
                # the backlog grows while the broker is away: that is when the gauges must tell it
                with contextlib.suppress(Exception):
                    await anyio.to_thread.run_sync(self.update_backlog_gauges)
            await self._purge_if_due()
            if published or self._stopping:
                continue
            delay = self._poll if failures == 0 else min(self._poll * 2**failures, 10.0)
            wake.clear()
            # Stopping is cooperative (see stop()): a cancellation that coincides with the
            # timeout can be swallowed on Python 3.11, and the relay would then never end.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await wake.wait()
                    # woken by a commit: wait a moment so that the commits arriving together are
                    # published in one batch (fewer write transactions competing with requests)
                    await asyncio.sleep(self._gather)

    async def publish_pending(self) -> int:
        """Publishes what is pending, a batch at a time; returns how many rows were published.

        A batch is sent with a window of outstanding acks (`Publisher.publish_many`) and every
        ack is checked. Marking a batch published and leasing the next happen in one transaction
        (one thread hop per batch). Batches do not overlap: a second batch in flight would only
        compete for the interpreter with the services' own work (measured slower).

        Order: a batch is sent in outbox order, so the stream stores a subject's events in the
        order they were committed -- unless a publish fails mid-batch (the broker went away):
        the failed rows are retried after the later ones were stored. Consumers that care (see
        docs/decisions/0008) tolerate that; the failed rows keep their place for the next try."""
        published = 0
        rows = await anyio.to_thread.run_sync(self._lease_batch)
        if not rows:
            await anyio.to_thread.run_sync(self.update_backlog_gauges)
            return 0
        while rows:
            try:
                results = await self._publisher.publish_many([(row.subject, row.body, row.headers) for row in rows])
            except Exception as exc:  # noqa: BLE001 -- no connection at all: every row goes back now
                results = [exc] * len(rows)  # (not after its lease, 30 s of nothing published)
            done: list[tuple[int, int]] = []
            failed: list[tuple[_Row, BaseException]] = []
            subjects: Counter[str] = Counter()
            for row, result in zip(rows, results, strict=True):
                if isinstance(result, BaseException):
                    failed.append((row, result))
                    continue
                if result.duplicate:  # the stream had it already (a retry after a lost ack): fine
                    log.info("outbox_publish_was_duplicate", event_id=row.event_id, subject=row.subject)
                done.append((row.id, result.sequence))
                subjects[row.subject] += 1
            for subject, n in subjects.items():
                EVENTS_PUBLISHED.labels(subject=subject).inc(n)
            published += len(done)
            more = not failed and len(rows) >= self._batch
            rows = await anyio.to_thread.run_sync(self._settle, done, failed, more)
            if failed:
                PUBLISH_FAILURES.inc(len(failed))
                raise failed[0][1]
        return published

    def _lease(self, session: Session) -> list[_Row]:
        """Leases the oldest unpublished rows in one statement (UPDATE ... RETURNING): another
        relay skips them until the lease ends (SKIP LOCKED on PostgreSQL)."""
        now = self._clock.now()
        t = self._table
        candidates = (
            select(t.c.id)
            .where(t.c.published_at.is_(None))
            .where((t.c.lease_until.is_(None)) | (t.c.lease_until < now))
            .order_by(t.c.id)
            .limit(self._batch)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(t)
            .where(t.c.id.in_(candidates))
            .values(lease_until=now + LEASE)
            .returning(t.c.id, t.c.event_id, t.c.subject, t.c.headers, t.c.body)
        )
        rows = session.execute(statement).all()
        return sorted(
            (_Row(r.id, r.event_id, r.subject, _headers(r.headers), bytes(r.body)) for r in rows), key=lambda r: r.id
        )

    def _lease_batch(self) -> list[_Row]:
        with Session(self._engine) as session, session.begin():
            return self._lease(session)

    def _settle(
        self, done: Sequence[tuple[int, int]], failed: Sequence[tuple[_Row, BaseException]], more: bool
    ) -> list[_Row]:
        """Marks the published rows, gives the failed ones back with their error, and leases the
        next batch if `more` -- in one transaction."""
        now = self._clock.now()
        t = self._table
        with Session(self._engine) as session, session.begin():
            connection = session.connection()
            if done:
                connection.execute(
                    self._mark_statement(), [{"row_id": i, "sequence": seq, "now": now} for i, seq in done]
                )
            for row, error in failed:
                connection.execute(
                    update(t)
                    .where(t.c.id == row.id)
                    .values(attempts=t.c.attempts + 1, last_error=repr(error)[:1000], lease_until=None)
                )
            return self._lease(session) if more else []

    def _mark_statement(self) -> Any:
        t = self._table
        return (
            update(t)
            .where(t.c.id == bindparam("row_id"))
            .values(
                published_at=bindparam("now"), stream_sequence=bindparam("sequence"), lease_until=None, last_error=None
            )
        )

    def update_backlog_gauges(self) -> None:
        """How many events wait, and how long the oldest has waited (the alert's 10 minutes).
        Blocking (a query): call it in a worker thread."""
        t = self._table
        with Session(self._engine) as session:
            pending, oldest = session.execute(
                select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None))
            ).one()
        OUTBOX_PENDING.labels(service=self._service).set(pending or 0)
        if oldest is not None and oldest.tzinfo is None:  # SQLite's aggregate bypasses UtcDateTime
            oldest = datetime.fromisoformat(str(oldest)).replace(tzinfo=UTC)
        age = (self._clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        OUTBOX_OLDEST_AGE.labels(service=self._service).set(max(age, 0.0))

    async def _purge_if_due(self) -> None:
        now = self._clock.now()
        if now - self._last_purge < timedelta(minutes=10):
            return
        self._last_purge = now
        removed = await anyio.to_thread.run_sync(self.purge_published, now - self._retention)
        if removed:
            log.info("outbox_purged", rows=removed)

    def purge_published(self, before: datetime) -> int:
        """Deletes rows published before `before`; returns how many."""
        t = self._table
        with Session(self._engine) as session, session.begin():
            result = session.execute(delete(t).where(t.c.published_at.is_not(None)).where(t.c.published_at < before))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]


def republish(engine: Engine, table: Table, *, since: datetime, until: datetime | None = None) -> int:
    """Marks published events created in [since, until) for publishing again; returns how many.

    Consumers are idempotent (they remember `ce-id`), so re-publishing is safe; it is how a
    carrier's system that lost data, or a rebuilt projection, catches up. Each copy gets a new
    `Nats-Msg-Id` -- with the old one the stream would drop it as a duplicate."""
    t = table
    copy = uuid.uuid4().hex[:12]  # unique per run of republish; the stream must see a new id
    with Session(engine) as session, session.begin():
        query = (
            select(t.c.id, t.c.event_id, t.c.headers)
            .where(t.c.published_at.is_not(None))
            .where(t.c.created_at >= since)
        )
        if until is not None:
            query = query.where(t.c.created_at < until)
        rows = session.execute(query).all()
        for row in rows:
            headers = {**_headers(row.headers), "Nats-Msg-Id": f"{row.event_id}.republished-{copy}"}
            session.execute(
                update(t).where(t.c.id == row.id).values(headers=headers, published_at=None, lease_until=None)
            )
        return len(rows)


def _headers(value: Any) -> dict[str, str]:
    if isinstance(value, str):  # some drivers hand JSON back as text
        value = json.loads(value)
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    return {str(k): str(v) for k, v in dict(value).items()}
