"""Everything with a lifecycle in one service process -- database engine, broker connection,
outbox relay, periodic jobs -- started and stopped together. A service's composition root
(`app.py`) builds one `ServiceRuntime` and hands its pieces to handlers and routes.

The service keeps serving HTTP while the broker is away: commands still commit (their events
wait in the outbox), the broker connection is retried, and `/readyz` says what is missing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import Table

from qn_contracts import Event

from .clock import Clock, SystemClock
from .consumer_loop import ConsumerLoop
from .consumers import BatchHandler, ConsumerSpec, Handler, one_at_a_time
from .database import make_engine, make_sessionmaker, ping
from .logs import get_logger
from .messaging import JetStreamPublisher, create_messaging, ensure_streams
from .metrics import CONSUMER_LOOP_RESTARTS
from .nats_headers import install_fast_headers
from .outbox import OutboxRelay
from .relay_supervisor import RelayProcess
from .settings import ServiceSettings
from .unit_of_work import UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    seconds: float
    run: Callable[[], Any]
    """A plain (blocking) function; it runs in a worker thread."""


class ServiceRuntime:
    def __init__(
        self, settings: ServiceSettings, *, outbox: Table, processed: Table | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        """Where every rule of the service gets the time (tests hand in a clock at a chosen date)."""
        self.engine = make_engine(settings.database_url)
        self.sessions = make_sessionmaker(self.engine)
        self.messaging = create_messaging(settings)
        self.outbox = outbox
        self.processed = processed
        self.relay = OutboxRelay(
            self.engine,
            outbox,
            JetStreamPublisher(self.messaging.broker, window=settings.outbox_publish_window),
            poll_seconds=settings.outbox_poll_seconds,
            batch_size=settings.outbox_batch_size,
            retention=timedelta(days=settings.outbox_retention_days),
            service=settings.service_name,
            clock=self.clock,
        )
        """Publishes the outbox in this process (`outbox_relay = "task"`); tests call it directly."""
        self.relay_process = (
            RelayProcess(settings, measure_backlog=self.relay.update_backlog_gauges)
            if settings.outbox_relay == "process"
            else None
        )
        """The relay's own process (`outbox_relay = "process"`, the default), which this one supervises."""
        self.jobs: list[PeriodicJob] = []
        self.on_start: list[Callable[[], Any]] = []
        """Blocking set-up steps run (in a thread) before the service accepts requests."""
        self.broker_started = False
        self._tasks: list[asyncio.Task[Any]] = []
        self.stopping = False
        """Set when `stop()` begins; background loops end on it (a cancellation alone can be lost)."""

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.outbox, self.processed, on_commit=self.notify_relay, clock=self.clock)

    def notify_relay(self) -> None:
        """Tells the relay that a commit left events to publish (from any thread)."""
        (self.relay_process or self.relay).notify()

    def consume(self, name: str, event_class: type[Event], handler: Handler[Any]) -> None:
        """Registers an idempotent durable consumer `<service>-<name>` of one event type whose
        handler takes one event at a time (in a batch's transaction; see `consumers`)."""
        self.consume_batch(
            name,
            event_class.spec.subject,
            one_at_a_time(handler),
            types=[event_class],
            description=event_class.spec.summary,
        )

    def consume_batch(
        self,
        name: str,
        subject: str,
        handler: BatchHandler,
        *,
        types: Iterable[type[Event]] | None = None,
        description: str = "",
    ) -> None:
        """Registers an idempotent durable consumer `<service>-<name>` of `subject` (wildcards
        allowed) whose handler takes a batch of typed events in one transaction. `types` limits
        the event classes it takes; other events on the subject are acknowledged and ignored."""
        self.messaging.add_consumer(
            ConsumerSpec(
                name=name,
                durable=f"{self.settings.service_name}-{name}",
                subject=subject,
                handler=handler,
                types=frozenset(types) if types is not None else None,
                description=description or f"Events on {subject}",
            )
        )

    def every(self, seconds: float, name: str, run: Callable[[], Any]) -> None:
        """Runs `run` every `seconds` while the service is up (rules, escalations, expiry)."""
        self.jobs.append(PeriodicJob(name, seconds, run))

    async def start(self) -> None:
        if self._tasks:  # started already (a second lifespan on the same app)
            return
        self.stopping = False
        for step in self.on_start:
            await anyio.to_thread.run_sync(step)
        self._tasks.append(asyncio.create_task(self._start_broker(), name="broker"))
        relay = self.relay_process or self.relay
        relay.reset()  # here, not in run(): a stop() that comes before the task begins must hold
        self._tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))
        for job in self.jobs:
            self._tasks.append(asyncio.create_task(self._run_periodically(job), name=job.name))

    async def stop(self, timeout: float = 15.0) -> None:
        """Stops background work and the broker; every step is bounded, so a stuck task is logged
        instead of hanging the shutdown."""
        self.stopping = True
        (self.relay_process or self.relay).stop()
        for task in self._tasks:
            if task.get_name() != "outbox-relay":
                task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=timeout)
            for task in stuck:
                log.error("task_did_not_stop", task=task.get_name())
                task.cancel()
        self._tasks.clear()
        try:
            async with asyncio.timeout(timeout):
                await self.messaging.broker.stop()
        except Exception as exc:  # noqa: BLE001 -- shutting down anyway
            log.warning("broker_stop_failed", error=repr(exc))
        self.engine.dispose()

    async def _start_broker(self) -> None:
        delay = 0.5
        while not self.stopping:
            try:
                broker = self.messaging.broker
                await broker.connect()
                install_fast_headers(broker.connection)
                await ensure_streams(
                    broker.connection.jetstream(),
                    self.settings.stream_replicas,
                    create=bool(self.settings.create_streams),
                )
                await broker.start()
                js = broker.connection.jetstream()
                dead_letters = JetStreamPublisher(broker)
                for spec in self.messaging.consumers:
                    loop = ConsumerLoop(self, spec, dead_letters)
                    await loop.ensure_durable(js)
                    if self.stopping:  # stop() began meanwhile (its cancellation may have been lost)
                        return
                    task = asyncio.create_task(self._keep_consuming(loop), name=f"consumer:{spec.durable}")
                    self._tasks.append(task)
                self.broker_started = True
                log.info("broker_started", servers=self.settings.nats_servers, consumers=len(self.messaging.durables))
                self.notify_relay()
                return
            except Exception as exc:  # noqa: BLE001 -- keep trying; the outbox holds new events meanwhile
                log.warning("broker_unavailable", error=repr(exc), retry_in_seconds=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _keep_consuming(self, loop: ConsumerLoop) -> None:
        """Runs a consumer's loop for as long as the service runs. A loop that fails (a fault in
        our code, an answer from the server nobody foresaw) is logged and started again: ended
        silently, it would leave its events unhandled while the service still answered ready.
        A fault that comes back at once is retried less and less often (up to every 30 s), so
        that it does not fill the log; a loop that ran a minute before failing starts at 1 s."""
        delay = 1.0
        while not self.stopping:
            began = asyncio.get_running_loop().time()
            try:
                await loop.run(self.messaging.broker.connection)
            except Exception as exc:  # noqa: BLE001 -- see above; cancellation (stop) still ends it
                if asyncio.get_running_loop().time() - began > 60.0:
                    delay = 1.0
                CONSUMER_LOOP_RESTARTS.labels(consumer=loop.spec.durable).inc()
                log.error("consumer_loop_failed", consumer=loop.spec.durable, error=repr(exc), restart_in_seconds=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _run_periodically(self, job: PeriodicJob) -> None:
        while True:
            await asyncio.sleep(job.seconds)
            try:
                await anyio.to_thread.run_sync(job.run)
            except Exception as exc:  # noqa: BLE001 -- one failed run must not stop the schedule
                log.error("periodic_job_failed", job=job.name, error=repr(exc))

    async def readiness(self) -> dict[str, str]:
        """Check name -> 'ok' or what is wrong: database, broker, durable consumers."""
        checks: dict[str, str] = {}
        try:
            await anyio.to_thread.run_sync(ping, self.engine)
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"unavailable: {type(exc).__name__}"
        broker = self.messaging.broker
        connected = False
        with contextlib.suppress(Exception):
            connected = bool(broker.connection.is_connected)
        checks["broker"] = "ok" if connected and self.broker_started else "not connected"
        if connected and self.broker_started:
            try:
                missing = await self.messaging.missing_durables()
                checks["consumers"] = "ok" if not missing else f"missing: {', '.join(missing)}"
            except Exception as exc:  # noqa: BLE001
                checks["consumers"] = f"unknown: {type(exc).__name__}"
        else:
            checks["consumers"] = "unknown: broker not connected"
        return checks
