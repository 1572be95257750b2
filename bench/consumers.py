"""Consumers at broker speed: how close the services' consumers and outbox relay come to what
nats-py alone does on the same broker, with the same messages, in the same run.

1. Raw baseline: N `concern.recorded` events (the project's own encoding and CloudEvents headers)
   published into QN_INTAKE with nats-py's pipelined `publish_async` (window 256, every ack
   checked), then pulled and acked by a fresh durable (fetch 256, `msg.ack()` each).
2. Reporting's consumer: reporting starts against the stream that already holds the N events; the
   clock runs from the moment its durable `reporting-intake-events` is created (after the process
   has started up) to the last ack. Its count must equal N. SQLite, and PostgreSQL when
   DATABASE_URL names one (a fresh database per run, dropped after).
3. Matching's consumer: 1,000 volunteers in one quarter (registered over matching's HTTP API),
   then M help requests for that quarter; each is ranked against all 1,000 and proposed to one
   (a proposal row, the request's row and `match.proposed` in the outbox, which the relay
   publishes meanwhile -- from a process of its own, as the services run by default). Nobody
   changes a volunteer while the requests are handled, so the consumer reads the volunteers once
   and keeps them from batch to batch (`kept_pool`; a change
   between two batches would have the next one read them again). Printed beside the ratio: the
   wall time per event, and the CPU time the service's process (its threads and any process it
   started) spent per event between its first ack and its last: when the two are close, the
   process was busy all the time, and only less work per event makes it faster. The same with
   10 volunteers shows what the consumer costs without much ranking; with DATABASE_URL, the
   1,000 again on PostgreSQL. M is 10,000
   (QN_BENCH_HELP_EVENTS): the clock includes the service's first batch, which reads the 1,000
   volunteers and warms up every statement; with 2,000 requests that one-off part was a sixth
   of a run of about a second, and the ratio said more about start-up than about a consumer
   keeping up.
4. The outbox relay: N rows written to an outbox (many per transaction) while no relay runs, then
   `OutboxRelay.publish_pending()` until all are published, against raw pipelined publishing of
   the very same rows.
5. End to end: intake, matching, scheduling and reporting (SQLite, one nats-server); concerns are
   POSTed from 16 clients, and the clock runs until reporting counts the last of them.

Timings of a consumer come from the broker's own timestamps (consumer created, last ack) where it
reports them, so that polling does not blur them. Every figure is given as a ratio against the
baseline measured in the same run; absolute rates vary with the machine's load. Baselines are
taken before and after what they are compared with (raw consume, intake alone) or in alternating
rounds (relay), so that a change in the load during the run hits both sides alike.

Sizes: QN_BENCH_EVENTS (N, 20,000), QN_BENCH_HELP_EVENTS (M, 10,000), QN_BENCH_VOLUNTEERS (1,000),
QN_BENCH_CONCERNS (2,000), QN_BENCH_CONCURRENCY (16); DATABASE_URL for PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import httpx
import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic_settings import SettingsConfigDict
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from qn_contracts import EventMeta, encode, stream_for_subject
from qn_contracts.ids import time_ordered_id
from qn_contracts.intake import ConcernRecorded, HelpRequested
from qn_infra.database import make_engine, migrate, new_metadata
from qn_infra.devkeys import ensure_keys, issue_token
from qn_infra.embedded_broker import NatsServer, free_port
from qn_infra.messaging import ensure_streams
from qn_infra.outbox import outbox_table
from qn_infra.runtime import ServiceRuntime
from qn_infra.settings import ServiceSettings
from qn_infra.unit_of_work import processed_events_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from concerns import BODY  # the body `concerns` POSTs: Franzstr. 147, Innenstadt Süd

REPO = Path(__file__).resolve().parents[1]
CITY_DIR = REPO / "deploy" / "demo-city"

EVENTS = int(os.environ.get("QN_BENCH_EVENTS", "20000"))
HELP_EVENTS = int(os.environ.get("QN_BENCH_HELP_EVENTS", "10000"))
VOLUNTEERS = int(os.environ.get("QN_BENCH_VOLUNTEERS", "1000"))
LIGHT_VOLUNTEERS = 10
CONCERNS = int(os.environ.get("QN_BENCH_CONCERNS", "2000"))
CONCURRENCY = int(os.environ.get("QN_BENCH_CONCURRENCY", "16"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")

WINDOW = 256  # outstanding publish acks, as the relay's default `outbox_publish_window`
FETCH = 256  # messages per fetch, as the consumers' default `consumer_batch_size`
MAX_ACK_PENDING = 1024  # what consumer_loop.durable_config gives a batch of 256
RAW_ROUNDS = 3  # short measurements are taken this often; the median counts

QUARTER = "innenstadt-sued"
TEAM = "team-innenstadt"  # the team of QUARTER in the demo city, and of the address in BODY
INTAKE_SUBJECTS = "qn.v1.intake.>"
HELP_SUBJECT = HelpRequested.spec.subject
CONCERN_METRIC = "concern.recorded"
REPORTING_DURABLES = {
    "reporting-intake-events": "QN_INTAKE",
    "reporting-matching-events": "QN_MATCHING",
    "reporting-scheduling-events": "QN_SCHEDULING",
}

AIM_REPORTING = 0.30
AIM_MATCHING = 0.30
AIM_RELAY = 0.50
AIM_END_TO_END = 0.80
AIM_LAG_SECONDS = 1.0

Wire = tuple[str, bytes, dict[str, str]]


class BenchFailed(RuntimeError):
    """A section could not measure what it set out to; the message says what happened."""


# --- events -------------------------------------------------------------------------------------

TOPICS = (["einsamkeit"], ["schulden", "einsamkeit"], ["alter"], ["wohnen"], ["gesundheit", "pflege"])
QUARTERS = ("innenstadt-sued", "innenstadt-mitte", "innenstadt-nord", "ziebigk", "rosslau")


def _wire(event: Any) -> Wire:
    message = encode(event, EventMeta.for_event(event))
    return message.subject, message.body, dict(message.headers)


def concern_messages(n: int) -> list[Wire]:
    """`concern.recorded` events as intake puts them on the wire (real encoding and headers)."""
    return [
        _wire(
            ConcernRecorded(
                concern_id=uuid.uuid4(),
                person_ref=uuid.uuid4() if i % 3 else None,
                quarter_id=QUARTERS[i % len(QUARTERS)],
                channel="walk_in",
                topics=TOPICS[i % len(TOPICS)],
                urgency="soon",
                team_id=TEAM,
            )
        )
        for i in range(n)
    ]


def help_request(i: int) -> HelpRequested:
    # ids as intake makes them (time-ordered); the person's pseudonym is random, as intake's is
    now = datetime.now(UTC)
    return HelpRequested(
        help_request_id=time_ordered_id(now),
        concern_id=time_ordered_id(now),
        person_ref=uuid.uuid4(),
        quarter_id=QUARTER,
        help_kind="company",
        skills=["company"],
        languages=[("de",), ("de", "ru"), ("tr",), ()][i % 4],
        urgency="soon",
        asked_by="routing",
    )


def volunteer_body(i: int) -> dict[str, Any]:
    """A volunteer of QUARTER whom every help request of `help_request` may be proposed to: the
    ranking has to look at all of them."""
    weekdays = ("mo", "tu", "we", "th", "fr", "sa", "su")
    slots = [
        {
            "weekday": weekdays[(i + k * 2) % 7],
            "starts": f"{8 + (i + k) % 10:02d}:00",
            "ends": f"{9 + (i + k) % 10:02d}:30",
        }
        for k in range(1 + i % 3)
    ]
    return {
        "display_name": f"Bench volunteer {i}",
        "contact": "Tel. 0340 555 01 23",
        "quarter_id": QUARTER,
        "skills": ["company", "shopping", "walk"][: 1 + i % 3],
        "languages": [["de"], ["de", "ru"], ["de", "en"], ["tr", "de"]][i % 4],
        "availability": slots,
    }


# --- the broker ---------------------------------------------------------------------------------


async def _connect(url: str) -> NATS:
    return await nats.connect(url, connect_timeout=5, max_reconnect_attempts=3)


async def raw_publish(js: JetStreamContext, messages: Sequence[Wire], timeout: float = 30.0) -> float:
    """Publishes with up to WINDOW acks outstanding and checks every ack; returns the seconds."""
    started = time.perf_counter()
    futures = [
        await js.publish_async(subject, body, stream=stream_for_subject(subject).name, headers=headers)
        for subject, body, headers in messages
    ]
    _, late = await asyncio.wait(futures, timeout=timeout) if futures else (set(), set())
    elapsed = time.perf_counter() - started
    if late:
        raise BenchFailed(f"raw publish: {len(late)} of {len(messages)} acks did not come within {timeout:.0f} s")
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise BenchFailed(f"raw publish: {len(errors)} publishes failed, e.g. {errors[0]!r}")
    duplicates = sum(1 for f in futures if f.result().duplicate)
    if duplicates:
        raise BenchFailed(f"raw publish: the stream took {duplicates} messages for duplicates")
    return elapsed


@dataclass(frozen=True)
class Drained:
    """A durable consumer from its creation to its last ack of `events` messages."""

    events: int
    seconds: float
    clock: str
    """'broker' (its own timestamps: created, last ack) or 'polled' (this process's clock)."""
    redelivered: int
    cpu_per_event: float | None = None
    """CPU seconds the consuming process (and its children) spent per event acked, from its
    first ack to its last; None where the process's CPU time cannot be read."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of process `pid` and its live descendants, from /proc (Linux);
    None elsewhere. What a consumer costs, beside how fast it got through."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo = 0.0, [pid]
    try:
        while todo:
            current = todo.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None if current == pid else total  # a child that just ended: its time is lost
    return total


def _span(info: ConsumerInfo, first_seen: float, now: float) -> tuple[float, str]:
    created, last_ack = info.created, info.ack_floor.last_active if info.ack_floor else None
    if isinstance(created, datetime) and isinstance(last_ack, datetime) and last_ack > created:
        return (last_ack - created).total_seconds(), "broker"
    return now - first_seen, "polled"


def _done(info: ConsumerInfo, events: int) -> bool:
    delivered = info.delivered.consumer_seq if info.delivered else 0
    return not info.num_pending and not info.num_ack_pending and delivered >= events


async def drained(
    js: JetStreamContext,
    stream: str,
    durable: str,
    events: int,
    *,
    timeout: float,
    alive: Callable[[], str | None] = lambda: None,
    poll: float = 0.02,
    pid: int | None = None,
) -> Drained:
    """Waits until `durable` exists and has acked `events` messages and has nothing pending.
    `alive()` returns why the consumer's process is gone, or None while it runs; with `pid`, the
    process's CPU time per event is read between the first poll that sees an ack and the end."""
    deadline = time.monotonic() + timeout
    first_seen: float | None = None
    info: ConsumerInfo | None = None
    cpu_from: tuple[int, float] | None = None
    while True:
        try:
            info = await js.consumer_info(stream, durable, timeout=5)
        except NotFoundError:
            info = None
        now = time.perf_counter()
        if info is not None:
            first_seen = first_seen or now
            acked = info.ack_floor.consumer_seq if info.ack_floor else 0
            if pid is not None and cpu_from is None and acked and (cpu := cpu_seconds(pid)) is not None:
                cpu_from = (acked, cpu)
            if _done(info, events):
                seconds, clock = _span(info, first_seen, now)
                per_event = None
                if cpu_from is not None and (cpu := cpu_seconds(pid or 0)) is not None and events > cpu_from[0]:
                    per_event = (cpu - cpu_from[1]) / (events - cpu_from[0])
                return Drained(events, seconds, clock, int(info.num_redelivered or 0), per_event)
        if (gone := alive()) is not None:
            raise BenchFailed(f"{durable}: the consuming process ended ({gone})")
        if time.monotonic() > deadline:
            if info is None:
                raise BenchFailed(f"{durable} was not created within {timeout:.0f} s")
            acked = info.ack_floor.consumer_seq if info.ack_floor else 0
            raise BenchFailed(
                f"{durable} did not drain within {timeout:.0f} s: {acked} of {events} acked, "
                f"{info.num_pending} pending, {info.num_ack_pending} awaiting an ack, "
                f"{info.num_redelivered} redelivered"
            )
        await asyncio.sleep(poll)


async def raw_consume(js: JetStreamContext, stream: str, subject: str, events: int, timeout: float = 60.0) -> Drained:
    """A fresh durable pull consumer fetching FETCH at a time and acking each message."""
    durable = f"bench-raw-{uuid.uuid4().hex[:8]}"
    config = ConsumerConfig(
        name=durable,
        durable_name=durable,
        filter_subject=subject,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=30,
        max_ack_pending=MAX_ACK_PENDING,
    )
    await js.add_consumer(stream, config)
    try:
        subscription = await js.pull_subscribe_bind(durable, stream)
        received, deadline = 0, time.monotonic() + timeout
        while received < events:
            if time.monotonic() > deadline:
                raise BenchFailed(f"raw consume: {received} of {events} messages within {timeout:.0f} s")
            try:
                messages = await subscription.fetch(FETCH, timeout=2)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            for message in messages:
                await message.ack()
            received += len(messages)
        await subscription.unsubscribe()
        return await drained(js, stream, durable, events, timeout=10, poll=0.005)
    finally:
        with contextlib.suppress(Exception):
            await js.delete_consumer(stream, durable)


async def subject_count(js: JetStreamContext, stream: str, subject: str) -> int:
    info = await js.stream_info(stream, subjects_filter=subject)
    return int((info.state.subjects or {}).get(subject, 0))


# --- services -----------------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def gone(self) -> str | None:
        if self.process.poll() is None:
            return None
        return f"{self.name} exited with {self.process.returncode}; last log lines:\n{self.log_tail()}"

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class Environment:
    """A temp dir, signing keys, nats-servers and service processes -- all of them stopped and
    removed at the end, whatever happened."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self.tmp = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="qn-bench-")))
        self.keys = self.tmp / "keys"
        ensure_keys(self.keys)
        self._databases = _Databases()
        self._stack.callback(self._databases.drop_all)

    def __enter__(self) -> Environment:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def nats(self, name: str) -> NatsServer:
        server = NatsServer(self.tmp / f"nats-{name}", log_file=self.tmp / f"nats-{name}.log").start()
        self._stack.callback(server.stop)
        return server

    def database(self, service: str, backend: str = "sqlite") -> str:
        """A fresh, migrated database of `service`."""
        if backend == "postgresql":
            url = self._databases.create(service)
        else:
            url = f"sqlite:///{self.tmp / f'{service}-{uuid.uuid4().hex[:6]}.sqlite3'}"
        migrate(url, REPO / f"services/{service}/qn_{service}/migrations")
        return url

    def start(self, name: str, *, nats_url: str, database_url: str, settings: dict[str, str] | None = None) -> Service:
        prefix = f"QN_{name.upper()}_"
        port = free_port()
        env = {
            **os.environ,
            **{prefix + key.upper(): value for key, value in (settings or {}).items()},
            prefix + "DATABASE_URL": database_url,
            prefix + "NATS_URL": nats_url,
            prefix + "DATA_DIR": str(self.tmp),  # keys/jwks.json is read from here
            prefix + "CITY_DIR": str(CITY_DIR),
            prefix + "HOST": "127.0.0.1",
            prefix + "PORT": str(port),
            prefix + "LOG_LEVEL": "WARNING",
            prefix + "LOG_JSON": "true",
        }
        log = self.tmp / f"{name}-{port}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", f"qn_{name}", "serve"], env=env, cwd=REPO, stdout=output, stderr=output
            )
        service = Service(name, port, process, log)
        self._stack.callback(service.stop)
        return service

    def token(self, *roles: str, team: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.keys, roles=list(roles), subject='bench', team=team)}"}


class _Databases:
    """Fresh PostgreSQL databases `qn_bench_<service>_<random>` on the server DATABASE_URL names."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def _admin(self) -> Any:
        url = make_url(DATABASE_URL).set(drivername="postgresql+psycopg")
        return create_engine(url, isolation_level="AUTOCOMMIT").connect()

    def create(self, service: str) -> str:
        database = f"qn_bench_{service}_{uuid.uuid4().hex[:8]}"
        with self._admin() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        self.created.append(database)
        url = make_url(DATABASE_URL).set(drivername="postgresql+psycopg", database=database)
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        with self._admin() as connection:
            for database in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        self.created.clear()


def wait_ready(service: Service, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if (gone := service.gone()) is not None:
            raise BenchFailed(gone)
        try:
            response = httpx.get(f"{service.url}/readyz", timeout=2)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.2)
    raise BenchFailed(f"{service.name} not ready within {timeout:.0f} s ({last}); log:\n{service.log_tail()}")


def count_of(service: Service, headers: dict[str, str], metric: str = CONCERN_METRIC) -> int:
    response = httpx.get(f"{service.url}/counts", params={"metric": metric}, headers=headers, timeout=10)
    if response.status_code != 200:
        raise BenchFailed(f"GET /counts?metric={metric}: {response.status_code} {response.text[:300]}")
    return int(response.json()["total"])


async def post_all(
    url: str, count: int, make_body: Callable[[int], dict[str, Any]], headers: dict[str, str]
) -> tuple[int, float, list[str]]:
    """POSTs `count` bodies from CONCURRENCY clients; returns (201s, seconds, some errors)."""
    next_index, created, errors = 0, 0, []

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal next_index, created
        while next_index < count:
            index = next_index
            next_index += 1
            try:
                response = await client.post(url, json=make_body(index), headers=headers)
            except httpx.HTTPError as exc:
                errors.append(repr(exc))
                continue
            if response.status_code == 201:
                created += 1
            else:
                errors.append(f"{response.status_code} {response.text[:200]}")

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return created, elapsed, errors[:3]


def _drain_timeout(events: int, floor_rate: float = 100.0) -> float:
    return max(60.0, events / floor_rate)


# --- 1 and 2: raw baseline and reporting --------------------------------------------------------


async def _raw_baseline(url: str, figures: dict[str, Any]) -> None:
    messages = concern_messages(EVENTS)
    nc = await _connect(url)
    try:
        js = nc.jetstream(timeout=10, publish_async_max_pending=WINDOW)
        await ensure_streams(js)
        seconds = await raw_publish(js, messages)
        figures["raw_publish_rate"] = EVENTS / seconds
    finally:
        await nc.close()
    figures["raw_consume_before"] = figures["raw_consume_rate"] = await _raw_consume_rate(url, figures)


async def _raw_consume_rate(url: str, figures: dict[str, Any]) -> float:
    nc = await _connect(url)
    try:
        consumed = await raw_consume(nc.jetstream(timeout=10), "QN_INTAKE", INTAKE_SUBJECTS, EVENTS)
    finally:
        await nc.close()
    figures["raw_consume_clock"] = consumed.clock
    return consumed.rate


async def _reporting_once(env: Environment, nats_url: str, backend: str) -> dict[str, Any]:
    nc = await _connect(nats_url)
    try:
        js = nc.jetstream(timeout=10)
        for durable, stream in REPORTING_DURABLES.items():  # a fresh consumer reads the whole stream again
            with contextlib.suppress(NotFoundError):
                await js.delete_consumer(stream, durable)
        database_url = env.database("reporting", backend)
        service = env.start("reporting", nats_url=nats_url, database_url=database_url)
        try:
            result = await drained(
                js,
                "QN_INTAKE",
                "reporting-intake-events",
                EVENTS,
                timeout=_drain_timeout(EVENTS) + 90,
                alive=service.gone,
            )
            await asyncio.to_thread(wait_ready, service)
            counted = await asyncio.to_thread(count_of, service, env.token("admin"))
        finally:
            service.stop()
    finally:
        await nc.close()
    return {"rate": result.rate, "clock": result.clock, "counted": counted, "redelivered": result.redelivered}


def section_raw_and_reporting(env: Environment, figures: dict[str, Any]) -> None:
    server = env.nats("intake-stream")
    asyncio.run(_raw_baseline(server.url, figures))
    backends = ["sqlite"] + (["postgresql"] if DATABASE_URL else [])
    for backend in backends:
        try:
            measured = asyncio.run(_reporting_once(env, server.url, backend))
        except Exception as exc:  # noqa: BLE001 -- report it, go on with the other sections
            figures[f"reporting_{backend}_error"] = _reason(exc)
            continue
        for key, value in measured.items():
            figures[f"reporting_{backend}_{key}"] = value
    # raw consume again after reporting: the mean of before and after is the baseline, so that a
    # change in the machine's load meanwhile hits both sides alike
    figures["raw_consume_after"] = asyncio.run(_raw_consume_rate(server.url, figures))
    figures["raw_consume_rate"] = (figures["raw_consume_before"] + figures["raw_consume_after"]) / 2


# --- 3: matching --------------------------------------------------------------------------------


# the workload asks for company, which the demo city lets only vetted volunteers give: the bench's
# volunteers are registered without a police-certificate check, so no kind needs one here
MATCHING_SETTINGS = {"vetted_help_kinds": "[]"}


async def _matching(
    env: Environment, figures: dict[str, Any], volunteers: int, key: str, backend: str = "sqlite"
) -> None:
    server = env.nats(key)
    database_url = env.database("matching", backend)
    service = env.start("matching", nats_url=server.url, database_url=database_url, settings=MATCHING_SETTINGS)
    await asyncio.to_thread(wait_ready, service)
    registered, seconds, errors = await post_all(
        f"{service.url}/volunteers", volunteers, volunteer_body, env.token("coordinator")
    )
    if registered != volunteers:
        raise BenchFailed(f"registered {registered} of {volunteers} volunteers; e.g. {errors}")
    figures[f"{key}_register_rate"] = registered / seconds
    service.stop()  # the help requests wait in the stream while matching is down

    messages = [_wire(help_request(i)) for i in range(HELP_EVENTS)]
    nc = await _connect(server.url)
    try:
        js = nc.jetstream(timeout=10, publish_async_max_pending=WINDOW)
        with contextlib.suppress(NotFoundError):  # a fresh durable: the clock starts at its creation
            await js.delete_consumer("QN_INTAKE", "matching-help-requested")
        await raw_publish(js, messages)
        # the baseline before and after the consumer's run (each a fresh durable of its own): on a
        # shared machine the broker's speed drifts, and one side alone moved the ratio by a third
        raw = [await raw_consume(js, "QN_INTAKE", HELP_SUBJECT, HELP_EVENTS) for _ in range(RAW_ROUNDS)]
        service = env.start("matching", nats_url=server.url, database_url=database_url, settings=MATCHING_SETTINGS)
        result = await drained(
            js,
            "QN_INTAKE",
            "matching-help-requested",
            HELP_EVENTS,
            timeout=_drain_timeout(HELP_EVENTS, 10.0) + 90,
            alive=service.gone,
            pid=service.process.pid,
        )
        figures[f"{key}_rate"] = result.rate
        figures[f"{key}_cpu"] = result.cpu_per_event
        figures[f"{key}_clock"] = result.clock
        figures[f"{key}_redelivered"] = result.redelivered
        # every request has eligible volunteers: each must have led to one proposal on the stream
        subject = "qn.v1.matching.match.proposed"
        deadline = time.monotonic() + 30
        while (proposed := await subject_count(js, "QN_MATCHING", subject)) < HELP_EVENTS:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        figures[f"{key}_proposed"] = proposed
        service.stop()
        raw += [await raw_consume(js, "QN_INTAKE", HELP_SUBJECT, HELP_EVENTS) for _ in range(RAW_ROUNDS)]
        figures[f"{key}_raw_rate"] = statistics.median(r.rate for r in raw)
        figures[f"{key}_raw_range"] = (min(r.rate for r in raw), max(r.rate for r in raw))
    finally:
        await nc.close()


def section_matching(env: Environment, figures: dict[str, Any]) -> None:
    asyncio.run(_matching(env, figures, VOLUNTEERS, "matching"))
    # the same consumer with little ranking to do: what the consumer itself costs per event
    asyncio.run(_matching(env, figures, LIGHT_VOLUNTEERS, "matching_light"))
    if DATABASE_URL:
        try:
            asyncio.run(_matching(env, figures, VOLUNTEERS, "matching_postgresql", "postgresql"))
        except Exception as exc:  # noqa: BLE001 -- report it; SQLite's figures stand
            figures["matching_postgresql_error"] = _reason(exc)


# --- 4: outbox relay ----------------------------------------------------------------------------


class BenchSettings(ServiceSettings):
    """The shared defaults (batch size, publish window), untouched by this machine's environment."""

    model_config = SettingsConfigDict(env_prefix="QN_BENCH_RELAY_", extra="ignore")
    service_name: ClassVar[str] = "bench"
    default_port: ClassVar[int] = 8098


async def _relay(env: Environment, figures: dict[str, Any]) -> None:
    server = env.nats("relay")
    database_url = f"sqlite:///{env.tmp / 'relay.sqlite3'}"
    metadata = new_metadata()
    outbox, processed = outbox_table(metadata), processed_events_table(metadata)
    engine = make_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()
    runtime = ServiceRuntime(
        BenchSettings(database_url=database_url, nats_url=server.url, data_dir=env.tmp),
        outbox=outbox,
        processed=processed,
    )
    try:
        # the rows, written as a service writes them, many events per transaction
        events = [
            ConcernRecorded(
                concern_id=uuid.uuid4(),
                quarter_id=QUARTERS[i % len(QUARTERS)],
                channel="walk_in",
                topics=TOPICS[i % len(TOPICS)],
                urgency="soon",
            )
            for i in range(EVENTS)
        ]
        for start in range(0, EVENTS, 1000):
            with runtime.unit_of_work() as uow:
                for event in events[start : start + 1000]:
                    uow.emit(event)
                uow.commit()
        with runtime.engine.connect() as connection:
            rows = connection.execute(select(outbox.c.subject, outbox.c.body, outbox.c.headers).order_by(outbox.c.id))
            messages = [(r.subject, bytes(r.body), dict(r.headers)) for r in rows]

        # alternating rounds: raw publishing of the very same messages, then the relay; the
        # stream is made anew before each (it would take the second copy for a duplicate)
        nc = await _connect(server.url)
        try:
            js = nc.jetstream(timeout=10, publish_async_max_pending=WINDOW)
            await runtime.messaging.broker.connect()

            async def fresh_stream() -> None:
                with contextlib.suppress(NotFoundError):
                    await js.delete_stream("QN_INTAKE")
                await ensure_streams(js)

            raw_rates, relay_rates, problems = [], [], []
            for _ in range(RAW_ROUNDS):
                await fresh_stream()
                raw_rates.append(EVENTS / await raw_publish(js, messages))
                await fresh_stream()
                with runtime.engine.begin() as connection:  # every row unpublished again
                    connection.execute(
                        update(outbox).values(published_at=None, stream_sequence=None, lease_until=None, attempts=0)
                    )
                relay_rates.append(EVENTS / await _relay_round(runtime, outbox))
                with runtime.engine.connect() as connection:
                    left = connection.scalar(
                        select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                    )
                stored = int((await js.stream_info("QN_INTAKE")).state.messages)
                if left or stored != EVENTS:
                    problems.append(f"{left} rows left unpublished, the stream holds {stored} of {EVENTS}")
            ratios = [r / b for r, b in zip(relay_rates, raw_rates, strict=True)]
            figures["relay_ratio_min"], figures["relay_ratio_max"] = min(ratios), max(ratios)
            figures["relay_raw_rate"] = statistics.median(raw_rates)
            figures["relay_rate"] = statistics.median(relay_rates)
            figures["relay_ratio"] = statistics.median(ratios)
            if problems:
                figures["relay_problems"] = "; ".join(problems)
        finally:
            await nc.close()
    finally:
        await runtime.stop(timeout=10)


async def _relay_round(runtime: ServiceRuntime, outbox: Any) -> float:
    """Seconds `OutboxRelay.publish_pending()` takes to publish every row."""
    published, started = 0, time.perf_counter()
    deadline = time.monotonic() + _drain_timeout(EVENTS)
    while published < EVENTS:
        if time.monotonic() > deadline:
            raise BenchFailed(f"relay: {published} of {EVENTS} rows published within the time allowed")
        done = await runtime.relay.publish_pending()
        if not done:
            raise BenchFailed(f"relay: stopped after {published} of {EVENTS} rows")
        published += done
    return time.perf_counter() - started


def section_relay(env: Environment, figures: dict[str, Any]) -> None:
    asyncio.run(_relay(env, figures))


# --- 5: end to end ------------------------------------------------------------------------------
WARM_UP = 50


def _concern_body(_: int) -> dict[str, Any]:
    return BODY


def _post_concerns(service: Service, count: int, headers: dict[str, str]) -> tuple[int, float, list[str]]:
    return asyncio.run(post_all(f"{service.url}/concerns", count, _concern_body, headers))


def _intake_alone(env: Environment, staff: dict[str, str], run: int) -> float:
    """Intake's POST rate with only intake and a nats-server up (fresh database and stream)."""
    server = env.nats(f"intake-alone-{run}")
    intake = env.start("intake", nats_url=server.url, database_url=env.database("intake"))
    try:
        wait_ready(intake)
        _post_concerns(intake, WARM_UP, staff)
        created, seconds, errors = _post_concerns(intake, CONCERNS, staff)
        if created != CONCERNS:
            raise BenchFailed(f"intake alone: {created} of {CONCERNS} concerns recorded; e.g. {errors}")
        return created / seconds
    finally:
        intake.stop()
        server.stop()


def section_end_to_end(env: Environment, figures: dict[str, Any]) -> None:
    staff = env.token("team_staff", team=TEAM)
    committee = env.token("admin")  # raw /counts are the statistics office's check
    # intake alone, before and after the four services: the mean is the baseline, so that a
    # change in the machine's load during the section hits both sides alike
    figures["e2e_intake_alone_before"] = _intake_alone(env, staff, 1)
    _end_to_end(env, figures, staff, committee)
    figures["e2e_intake_alone_after"] = _intake_alone(env, staff, 2)
    figures["e2e_intake_alone_rate"] = (figures["e2e_intake_alone_before"] + figures["e2e_intake_alone_after"]) / 2


def _end_to_end(env: Environment, figures: dict[str, Any], staff: dict[str, str], committee: dict[str, str]) -> None:
    # the four services, one broker
    server = env.nats("four-services")
    services = {
        name: env.start(name, nats_url=server.url, database_url=env.database(name))
        for name in ("intake", "matching", "scheduling", "reporting")
    }
    try:
        for service in services.values():
            wait_ready(service)
        _measure_end_to_end(figures, services, staff, committee)
    finally:  # stopped before intake runs alone again
        for service in services.values():
            service.stop()
        server.stop()


def _measure_end_to_end(
    figures: dict[str, Any], services: dict[str, Service], staff: dict[str, str], committee: dict[str, str]
) -> None:
    intake, reporting = services["intake"], services["reporting"]

    def counted() -> int:
        return count_of(reporting, committee)

    def wait_count(expected: int, timeout: float, after: str) -> float:
        deadline = time.monotonic() + timeout
        while (total := counted()) < expected:
            for service in services.values():
                if (gone := service.gone()) is not None:
                    raise BenchFailed(gone)
            if time.monotonic() > deadline:
                raise BenchFailed(f"reporting counted {total} of {expected} concerns {timeout:.0f} s after {after}")
            time.sleep(0.05)
        if total != expected:
            figures["e2e_count_mismatch"] = f"reporting counts {total}, {expected} were recorded"
        return time.perf_counter()

    warm, _, errors = _post_concerns(intake, WARM_UP, staff)
    if warm != WARM_UP:
        raise BenchFailed(f"four services: {warm} of {WARM_UP} warm-up concerns recorded; e.g. {errors}")
    wait_count(WARM_UP, 60, "the warm-up")  # the whole chain is live

    started = time.perf_counter()
    created, seconds, errors = _post_concerns(intake, CONCERNS, staff)
    last_post = started + seconds
    if created != CONCERNS:
        figures["e2e_post_errors"] = f"{CONCERNS - created} POSTs failed; e.g. {errors}"
    done = wait_count(WARM_UP + created, 120, "the last POST")
    figures["e2e_posted"] = created
    figures["e2e_post_rate"] = created / seconds
    figures["e2e_rate"] = created / (done - started)
    figures["e2e_lag_seconds"] = done - last_post
    time.sleep(0.5)
    figures["e2e_final_count"] = counted() - WARM_UP


# --- run and report -----------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, Callable[[Environment, dict[str, Any]], None]], ...] = (
    ("raw", section_raw_and_reporting),
    ("matching", section_matching),
    ("relay", section_relay),
    ("e2e", section_end_to_end),
)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, BenchFailed):
        return str(exc)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def run(parts: Sequence[str] | None = None) -> dict[str, Any]:
    """Every part of this section, or only `parts` (names as in SECTIONS)."""
    unknown = set(parts or ()) - {name for name, _ in SECTIONS}
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; known: {[name for name, _ in SECTIONS]}")
    figures: dict[str, Any] = {
        "events": EVENTS,
        "help_events": HELP_EVENTS,
        "volunteers": VOLUNTEERS,
        "concerns": CONCERNS,
        "postgresql": bool(DATABASE_URL),
    }
    started = time.perf_counter()
    for name, section in SECTIONS:
        if parts and name not in parts:
            continue
        section_started = time.perf_counter()
        try:
            with Environment() as env:
                section(env, figures)
        except Exception as exc:  # noqa: BLE001 -- one broken section must not hide the others
            figures[f"{name}_error"] = _reason(exc)
        figures[f"{name}_seconds"] = time.perf_counter() - section_started
    figures["seconds"] = time.perf_counter() - started
    return figures


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _ratio(value: float | None, base: float | None, aim: float | None, base_label: str) -> str:
    """`value` against `base`, and whether it meets `aim` (None: a figure printed for comparison)."""
    if not value or not base:
        return ""
    ratio = value / base
    shown = f"{ratio:5.2f}" if ratio >= 0.1 else f"{ratio:5.3f}"
    verdict = f"aim ≥ {aim:.2f} {_mark(ratio >= aim)}" if aim is not None else "(the aim is SQLite's)"
    return f"{shown} x {base_label:<22} {verdict}"


def _cpu_note(cpu_per_event: float | None) -> str:
    """The service's CPU time per event (all its threads and child processes)."""
    return f" ({1e6 * cpu_per_event:,.0f} µs CPU)" if cpu_per_event else ""


def _rate(value: float | None, unit: str = "ev/s") -> str:
    return f"{value:>9,.0f} {unit}" if value else f"{'—':>9} {unit}"


def report(figures: dict[str, Any]) -> str:
    f = figures
    n, m = f["events"], f["help_events"]
    lines = [
        f"N = {n:,} concern.recorded events (real encoding and headers), one nats-server per section; "
        f"fetch {FETCH}, publish window {WINDOW}:"
    ]

    def row(label: str, value: str, comparison: str = "", note: str = "") -> None:
        lines.append(f"  {label:<46} {value:<16} {comparison}{('   ' + note) if note else ''}".rstrip())

    def failed(key: str) -> None:
        if key in f:
            lines.append(f"  !! FAILED: {f[key]}")

    def ran(part: str) -> bool:  # `--only consumers:PART` leaves the others out
        return f"{part}_seconds" in f

    if ran("raw"):
        lines.append(" 1 raw nats-py baseline")
        row("raw pipelined publish (publish_async)", _rate(f.get("raw_publish_rate")))
        before, after = f.get("raw_consume_before"), f.get("raw_consume_after")
        row(
            "raw consume (pull, ack each)",
            _rate(f.get("raw_consume_rate")),
            note=f"mean of before ({before:,.0f}) and after ({after:,.0f}) reporting" if before and after else "",
        )
        failed("raw_error")

        lines.append(" 2 reporting consumer (reporting-intake-events), from its creation to the last ack")
        for backend, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
            if backend == "postgresql" and not f["postgresql"]:
                lines.append("  PostgreSQL: not measured (no DATABASE_URL)")
                continue
            rate = f.get(f"reporting_{backend}_rate")
            counted = f.get(f"reporting_{backend}_counted")
            note = ""
            if counted is not None:
                note = f"counted {counted:,}" + ("" if counted == n else f"   !! COUNT MISMATCH: {counted:,} != {n:,}")
            redelivered = f.get(f"reporting_{backend}_redelivered")
            if redelivered:
                note += f"   {redelivered} redelivered"
            row(
                f"reporting, {label}",
                _rate(rate),
                _ratio(rate, f.get("raw_consume_rate"), AIM_REPORTING, "raw consume"),
                note,
            )
            failed(f"reporting_{backend}_error")
    if ran("matching"):
        lines.append(
            f" 3 matching consumer (matching-help-requested): {f['volunteers']:,} volunteers in {QUARTER}, "
            f"{m:,} help requests for it"
        )
        rate = f.get("matching_rate")
        spread = f.get("matching_raw_range")
        row(
            "raw consume of the same help requests",
            _rate(f.get("matching_raw_rate")),
            note=f"median of {2 * RAW_ROUNDS}, before and after"
            + (f" (range {spread[0]:,.0f}-{spread[1]:,.0f})" if spread else ""),
        )
        proposed = f.get("matching_proposed")
        note = f"{1e6 / rate:,.0f} µs/event" if rate else ""
        note += _cpu_note(f.get("matching_cpu"))
        if proposed is not None:
            note += f"   proposals {proposed:,}" + ("" if proposed == m else f"   !! EXPECTED {m:,} PROPOSALS")
        row("matching", _rate(rate), _ratio(rate, f.get("matching_raw_rate"), AIM_MATCHING, "raw consume"), note)
        light = f.get("matching_light_rate")
        if light:
            row(
                f"matching, {LIGHT_VOLUNTEERS} volunteers (little ranking)",
                _rate(light),
                _ratio(light, f.get("matching_light_raw_rate"), AIM_MATCHING, "raw consume"),
                f"{1e6 / light:,.0f} µs/event" + _cpu_note(f.get("matching_light_cpu")),
            )
        pg = f.get("matching_postgresql_rate")
        if pg:
            pg_note = f"{1e6 / pg:,.0f} µs/event" + _cpu_note(f.get("matching_postgresql_cpu"))
            if (pg_proposed := f.get("matching_postgresql_proposed")) is not None and pg_proposed != m:
                pg_note += f"   !! EXPECTED {m:,} PROPOSALS, {pg_proposed:,} ON THE STREAM"
            row(
                "matching, PostgreSQL",
                _rate(pg),
                _ratio(pg, f.get("matching_postgresql_raw_rate"), None, "raw consume"),
                pg_note,
            )
        elif not f["postgresql"]:
            lines.append("  PostgreSQL: not measured (no DATABASE_URL)")
        failed("matching_postgresql_error")
        if f.get("matching_register_rate"):
            row("(registering the volunteers over HTTP)", _rate(f["matching_register_rate"], "req/s"))
        failed("matching_error")
    if ran("relay"):
        lines.append(f" 4 outbox relay: {n:,} rows written while no relay ran, then published (SQLite)")
        raw, relay = f.get("relay_raw_rate"), f.get("relay_rate")
        row("raw pipelined publish of the same rows", _rate(raw), note=f"median of {RAW_ROUNDS} alternating rounds")
        note = ""
        if relay:
            note = f"!! {f['relay_problems']}" if f.get("relay_problems") else "all published and stored"
            if "relay_ratio_min" in f:
                note = f"median of rounds; range {f['relay_ratio_min']:.2f}-{f['relay_ratio_max']:.2f}   {note}"
        ratio = f.get("relay_ratio")
        row(
            "OutboxRelay.publish_pending()",
            _rate(relay),
            _ratio(ratio, 1.0, AIM_RELAY, "raw publish") if ratio else "",
            note,
        )
        failed("relay_error")
    if ran("e2e"):
        lines.append(
            f" 5 end to end: intake, matching, scheduling, reporting (SQLite); {f['concerns']:,} concerns POSTed "
            f"by {CONCURRENCY} clients"
        )
        alone, e2e = f.get("e2e_intake_alone_rate"), f.get("e2e_rate")
        before, after = f.get("e2e_intake_alone_before"), f.get("e2e_intake_alone_after")
        row(
            "intake alone, POST rate",
            _rate(alone, "req/s"),
            note=f"mean of before ({before:,.0f}) and after ({after:,.0f})" if before and after else "",
        )
        if f.get("e2e_post_rate"):
            row("intake among the four, POST rate", _rate(f["e2e_post_rate"], "req/s"))
        row(
            "first POST to last counted in reporting",
            _rate(e2e, "/s"),
            _ratio(e2e, alone, AIM_END_TO_END, "intake alone"),
        )
        lag = f.get("e2e_lag_seconds")
        if lag is not None:
            row(
                "reporting behind the last POST",
                f"{lag:9.2f} s",
                f"{'':28}aim ≤ {AIM_LAG_SECONDS:.2f} {_mark(lag <= AIM_LAG_SECONDS)}",
            )
        if "e2e_final_count" in f and f["e2e_final_count"] != f.get("e2e_posted"):
            lines.append(
                f"  !! COUNT MISMATCH: reporting counts {f['e2e_final_count']}, {f.get('e2e_posted')} recorded"
            )
        for key in ("e2e_count_mismatch", "e2e_post_errors"):
            if key in f:
                lines.append(f"  !! {f[key]}")
        failed("e2e_error")
    clocks = {value for key, value in f.items() if key.endswith("_clock")}
    if clocks:
        lines.append(
            "  consumer times: "
            + (
                "the broker's own timestamps, durable created → last ack"
                if clocks == {"broker"}
                else "partly polled by this process (the broker gave no timestamps)"
            )
        )
    parts = ", ".join(
        f"{label} {f[key + '_seconds']:.0f} s"
        for key, label in (("raw", "1-2"), ("matching", "3"), ("relay", "4"), ("e2e", "5"))
        if key + "_seconds" in f
    )
    lines.append(f"  ({f['seconds']:.0f} s in all: {parts})")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
