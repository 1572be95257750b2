"""Rebuilding the aggregates from the event streams, in one pass.

The streams keep every event (no max age), so the projections are disposable. A rebuild reads
each stream from the start up to the sequence it noted first, with an ordered consumer (no acks,
big flow-controlled pushes; `stream_reader`), admits and decodes every message as the live
consumer does, and folds them in memory (`figures.replay`): counts, sums, site placement and the
ids of the events counted. It then replaces the aggregates and the processed event ids in one
transaction, and resets reporting's durable consumers -- configured exactly as the service
configures them -- to continue right after the sequence read up to: whatever was published
meanwhile is counted by the live consumer, once.

Order matters, so that stopping half-way never loses or doubles a count:
  - until the transaction commits, nothing has changed (run the command again);
  - after it, a consumer not reset yet (or not resettable: nats-server before 2.14) delivers
    events the rebuild counted already -- from where it was, or from the start if it is
    missing -- and their ids are in `processed_events`, so they are skipped."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nats
import nats.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError
from sqlalchemy import Connection, Engine, Table, insert

from qn_contracts import WireFormatError, admit, decode_body, stream_for_subject
from qn_infra.consumer_loop import durable_config
from qn_infra.consumers import ConsumerSpec
from qn_infra.messaging import connect_options, ensure_streams
from qn_infra.runtime import ServiceRuntime
from qn_infra.settings import ServiceSettings

from .breakdowns import store as breakdowns
from .db import PROCESSED_EVENTS
from .figures import store
from .figures.replay import Cells, Replay
from .figures.store import COUNTS, SITES, SUMS, UNPLACED
from .stream_reader import install_fast_headers, read_stream

HELP = """Count every event again from the streams, and replace the aggregates with the result.

Stop every reporting replica first. The command then
  1. notes the last sequence of each stream reporting consumes;
  2. reads every event up to there (an ephemeral consumer, no acks), checks and decodes it as
     the live consumer does -- invalid messages are skipped and counted (the live consumer
     dead-letters them), unknown event types are ignored, a second copy of an event counts once;
  3. in one transaction, replaces the aggregates, the site-to-quarter table and the processed
     event ids with what it counted;
  4. resets reporting's durable consumers (one per stream; created if missing) so that they
     continue right after the sequence it read up to (nats-server 2.14 or later; an older one
     leaves them where they were, and reporting skips what they deliver again).
Start reporting again afterwards: it counts what was published since, each event once.
The command refuses to run while a consumer is being pulled from (a replica still running),
unless --force is given. If it stops before step 3 finished, nothing has changed."""

Progress = Callable[[str], None]


class StillRunning(RuntimeError):
    """A reporting replica is still pulling from one of the consumers."""


class RebuildFailed(RuntimeError):
    """The rebuild stopped; the message says in what state it left things."""


@dataclass
class StreamRead:
    """What the rebuild read from one stream."""

    stream: str
    durable: str
    last_sequence: int
    """Read up to this sequence."""
    messages: int = 0
    events: int = 0
    """Counted."""
    duplicates: int = 0
    """Second copies of an event already counted."""
    ignored: int = 0
    """Event types these contracts do not know (a newer producer's)."""
    invalid: int = 0
    """Skipped: the live consumer dead-letters these."""
    seconds: float = 0.0
    continues_after: int | None = None
    """The sequence reporting's consumer was reset to continue after; None if it was not."""


@dataclass
class Rebuilt:
    streams: list[StreamRead]
    count_cells: int = 0
    sum_cells: int = 0
    sites: int = 0
    unplaced_cells: int = 0
    processed_ids: int = 0
    invalid_examples: list[str] = field(default_factory=list)
    read_seconds: float = 0.0
    write_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def consumers(self) -> list[str]:
        return [read.durable for read in self.streams]

    @property
    def messages(self) -> int:
        return sum(read.messages for read in self.streams)

    @property
    def events(self) -> int:
        return sum(read.events for read in self.streams)

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "messages": self.messages, "events": self.events}


@dataclass(frozen=True)
class _Consumer:
    stream: str
    spec: ConsumerSpec


def rebuild(
    runtime: ServiceRuntime,
    *,
    force: bool = False,
    progress: Progress | None = None,
    after_noting: Callable[[dict[str, int]], Awaitable[None]] | None = None,
) -> Rebuilt:
    """Counts every event again and swaps the result in (see the module docstring).
    `after_noting(last sequences)` runs once the sequences are noted (tests publish there)."""
    try:
        return asyncio.run(_rebuild(runtime, force=force, progress=progress or _quiet, after_noting=after_noting))
    finally:
        runtime.engine.dispose()


async def _rebuild(
    runtime: ServiceRuntime,
    *,
    force: bool,
    progress: Progress,
    after_noting: Callable[[dict[str, int]], Awaitable[None]] | None,
) -> Rebuilt:
    started = time.monotonic()
    settings = runtime.settings
    consumers = [_Consumer(stream_for_subject(spec.subject).name, spec) for spec in runtime.messaging.consumers]
    nc = await nats.connect(
        settings.nats_servers, connect_timeout=5, allow_reconnect=False, **connect_options(settings)
    )
    try:
        install_fast_headers(nc)
        js = nc.jetstream(timeout=10)
        try:
            await ensure_streams(js, settings.stream_replicas, create=bool(settings.create_streams))
            await _refuse_if_running(js, consumers, force=force)
            last = {c.stream: (await js.stream_info(c.stream)).state for c in consumers}
            reads = [StreamRead(c.stream, c.spec.durable, last[c.stream].last_seq) for c in consumers]
            progress(
                "read up to: "
                + ", ".join(f"{r.stream} #{r.last_sequence} ({last[r.stream].messages:,} messages)" for r in reads)
            )
            if after_noting is not None:
                await after_noting({r.stream: r.last_sequence for r in reads})
            result = Rebuilt(reads)
            replay = Replay()
            for consumer, read in zip(consumers, reads, strict=True):
                await _read(js, consumer, read, replay, result, last[read.stream].messages, settings, progress)
            result.read_seconds = time.monotonic() - started
            # a replica started meanwhile would count into the tables about to be replaced
            await _refuse_if_running(js, consumers, force=force)
        except StillRunning:
            raise
        except Exception as exc:
            raise RebuildFailed(f"{type(exc).__name__}: {exc} -- nothing was changed; run the command again") from exc

        written = time.monotonic()
        cells = replay.cells()
        progress(
            f"writing {len(cells.counts):,} count cells, {len(cells.sums):,} sum cells, {len(replay.sites):,} sites "
            f"and {replay.processed_count:,} processed event ids in one transaction"
        )
        try:
            await asyncio.to_thread(_write, runtime.engine, replay, cells, runtime.clock.now())
        except Exception as exc:
            raise RebuildFailed(
                f"writing failed ({type(exc).__name__}: {exc}) -- nothing was changed; run the command again"
            ) from exc
        result.write_seconds = time.monotonic() - written
        result.count_cells, result.sum_cells = len(cells.counts), len(cells.sums)
        result.sites, result.unplaced_cells = len(replay.sites), len(cells.unplaced)
        result.processed_ids = replay.processed_count
        del replay, cells
        progress(f"aggregates replaced in {result.write_seconds:.1f} s")

        try:
            for consumer, read in zip(consumers, reads, strict=True):
                trouble = await _continue_after(nc, js, consumer, read.last_sequence, settings)
                read.continues_after = None if trouble else read.last_sequence
                if trouble:
                    progress(
                        f"{read.durable}: {trouble}. It stays where it was: on the next start reporting reads the "
                        "events after it again and skips those counted already (slower, but each counts once)."
                    )
        except Exception as exc:
            raise RebuildFailed(
                f"the aggregates are rebuilt, but positioning the consumers failed ({type(exc).__name__}: {exc}). "
                "Start reporting anyway: its consumers deliver events again from where they were (from the start, "
                "if missing), and those counted already are skipped."
            ) from exc
        result.seconds = time.monotonic() - started
        return result
    finally:
        await nc.close()


async def _refuse_if_running(js: JetStreamContext, consumers: Sequence[_Consumer], *, force: bool) -> None:
    present = []
    for consumer in consumers:
        try:
            present.append((consumer, await js.consumer_info(consumer.stream, consumer.spec.durable)))
        except NotFoundError:
            continue
    # a running replica keeps a pull request waiting on its consumer almost all the time
    for attempt in range(3):
        busy = [c.spec.durable for c, info in present if info.num_waiting]
        if busy and not force:
            raise StillRunning(f"reporting seems to be running (pulling from {', '.join(busy)}); stop it first")
        if attempt < 2:
            await asyncio.sleep(0.2)
            present = [(c, await js.consumer_info(c.stream, c.spec.durable)) for c, _ in present]


async def _read(
    js: JetStreamContext,
    consumer: _Consumer,
    read: StreamRead,
    replay: Replay,
    result: Rebuilt,
    stored: int,
    settings: ServiceSettings,
    progress: Progress,
) -> None:
    if not read.last_sequence or not stored:
        progress(f"{read.stream}: empty")
        return
    started = time.monotonic()
    handle = _handler(read, consumer.spec, replay, result.invalid_examples, settings.consumer_max_event_bytes)

    def report(n: int) -> None:
        elapsed = time.monotonic() - started
        progress(f"{read.stream}: {n:,} of {stored:,} messages read ({n / elapsed:,.0f}/s)")

    read.messages = await read_stream(
        js, read.stream, consumer.spec.subject, read.last_sequence, handle, progress=report
    )
    read.seconds = time.monotonic() - started
    skipped = f", {read.invalid:,} invalid skipped (the live consumer dead-letters them)" if read.invalid else ""
    progress(
        f"{read.stream}: {read.messages:,} messages in {read.seconds:.1f} s "
        f"({read.messages / max(read.seconds, 1e-9):,.0f}/s): {read.events:,} events counted, "
        f"{read.duplicates:,} second copies, {read.ignored:,} of unknown types{skipped}"
    )


def _handler(
    read: StreamRead, spec: ConsumerSpec, replay: Replay, examples: list[str], max_bytes: int
) -> Callable[[str, dict[str, str], bytes], None]:
    """Admits, decodes and folds one message, as `consumers.BatchProcessor` and
    `handlers.record_events` would."""
    stream, durable, types = read.stream, spec.durable, spec.types

    def handle(subject: str, headers: dict[str, str], body: bytes) -> None:
        try:
            event_class, meta = admit(subject, headers, body, stream=stream, max_bytes=max_bytes)
            if event_class is None or (types is not None and event_class not in types):
                read.ignored += 1
                return
            event = decode_body(event_class, body, subject)
        except WireFormatError as exc:
            read.invalid += 1
            if len(examples) < 10:
                examples.append(f"{subject}: {exc}")
            return
        if not replay.first_time(durable, meta):
            read.duplicates += 1
            return
        replay.add(event, meta)
        read.events += 1

    return handle


def _write(engine: Engine, replay: Replay, cells: Cells, now: datetime) -> None:
    """Replaces every projection and the processed ids, in one transaction."""
    with engine.begin() as connection:
        store.forget_everything(connection, PROCESSED_EVENTS)
        breakdowns.forget(connection)
        breakdowns.write(connection, replay.finer)
        _insert_rows(connection, COUNTS, store.cell_rows(cells.counts, "n"))
        _insert_rows(connection, SUMS, store.cell_rows(cells.sums, "hundredths"))
        _insert_rows(connection, SITES, [{"site_id": s, "quarter_id": q} for s, q in sorted(replay.sites.items())])
        _insert_rows(connection, UNPLACED, store.unplaced_rows(cells.unplaced))
        _insert_processed(connection, replay, now)


def _insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]], chunk: int = 10_000) -> None:
    for start in range(0, len(rows), chunk):
        connection.execute(insert(table), rows[start : start + chunk])


def _insert_processed(connection: Connection, replay: Replay, now: datetime) -> None:
    """The ids of every event counted, in key order, straight through the driver: COPY on
    PostgreSQL, executemany on SQLite. The time is converted once, as SQLAlchemy would."""
    table = PROCESSED_EVENTS
    dialect = connection.dialect
    convert = table.c.processed_at.type.bind_processor(dialect)
    at = convert(now) if convert is not None else now
    rows = ((consumer, _uuid_text(key), at) for consumer, keys in replay.processed_ids() for key in keys)
    raw: Any = connection.connection.dbapi_connection
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} (consumer, event_id, processed_at) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    elif dialect.name == "sqlite":
        cursor = raw.cursor()
        try:
            cursor.executemany(f"INSERT INTO {table.name} (consumer, event_id, processed_at) VALUES (?, ?, ?)", rows)
        finally:
            cursor.close()
    else:
        batch: list[dict[str, Any]] = []
        for consumer, event_id, _ in rows:
            batch.append({"consumer": consumer, "event_id": event_id, "processed_at": now})
            if len(batch) >= 10_000:
                connection.execute(insert(table), batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)


def _uuid_text(key: bytes) -> str:
    """`str(UUID(bytes=key))`, cheaper."""
    h = key.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


async def _continue_after(
    nc: Client, js: JetStreamContext, consumer: _Consumer, last: int, settings: ServiceSettings
) -> str | None:
    """Makes the durable consumer deliver from `last + 1` on: created, or updated in place, with
    the settings the service gives it -- so that its start finds nothing to change -- then reset
    to that sequence (JetStream's consumer reset, nats-server 2.14 and later). Returns None, or
    why it could not be reset: then it stays where it was, and what it delivers again on the next
    start is skipped as counted already."""
    stream, name = consumer.stream, consumer.spec.durable
    config = durable_config(
        consumer.spec,
        ack_wait=settings.consumer_ack_wait_seconds,
        max_deliver=settings.consumer_max_deliver,
        batch_size=settings.consumer_batch_size,
    )
    try:
        await js.add_consumer(stream, config)
    except APIError:
        # made with settings that cannot change in place (the service could not start with it either)
        await js.delete_consumer(stream, name)
        await js.add_consumer(stream, config)
    if not last:
        return None
    try:
        reply = await nc.request(
            f"$JS.API.CONSUMER.RESET.{stream}.{name}", json.dumps({"seq": last + 1}).encode(), timeout=5
        )
    except (nats.errors.TimeoutError, nats.errors.NoRespondersError):
        return f"nats-server {nc._server_info.get('version', '?')} does not answer a consumer reset (needs 2.14)"
    answer = json.loads(reply.data or b"{}")
    if "error" in answer:
        return f"the consumer reset was refused: {answer['error'].get('description', answer['error'])}"
    if answer.get("reset_seq") != last + 1:
        return f"the consumer was reset to {answer.get('reset_seq')}, not to {last + 1}"
    return None


def _quiet(_: str) -> None:
    pass


def print_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
