"""The outbox relay in a process of its own: `python -m qn_infra.relay_process`, started, woken and
restarted by its service (`relay_supervisor.RelayProcess`), never by hand.

Why a process (decision 0008): a busy consumer keeps one core's worth of Python busy, and the
relay in the same process competes with it for that one interpreter while the machine's other
cores wait. In a process of its own the same `OutboxRelay` publishes on another core; rows are
leased, so it runs beside any other relay of the service, and on SQLite it takes its turn at the
write lock like any writer (WAL, busy timeout).

What the service and this process say to each other:
- on this process's stdin, first one line of JSON: the service's name, the settings every service
  shares with the values the service runs with (secrets included: a pipe, not the environment or
  the command line, where other users of the machine could read them), and the number of the
  metrics pipe; then one byte per commit ("there is something to publish").
  End of file means the service stopped or died: the relay finishes its batch and ends.
- on the metrics pipe, lines of JSON with the relay's counters and gauges, sent when they change
  (at most once a second); the service shows them on its own /metrics.
Its stdout and stderr are the service's: its log lines go where the service's go, marked
`process: outbox-relay`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from datetime import timedelta
from typing import Any

import nats
import structlog
from prometheus_client import Metric
from sqlalchemy import MetaData

from .database import make_engine
from .logs import configure_logging, get_logger
from .messaging import RECONNECT, JetStreamPublisher, connect_options
from .metrics import EVENTS_PUBLISHED, OUTBOX_OLDEST_AGE, OUTBOX_PENDING, PUBLISH_FAILURES
from .nats_headers import install_fast_headers
from .outbox import OutboxRelay, outbox_table
from .settings import ServiceSettings

log = get_logger(__name__)

STDIN = 0
METRICS_EVERY_SECONDS = 1.0


def load_settings(service: str, values: dict[str, Any]) -> ServiceSettings:
    """The settings the relay needs -- those every service shares -- with exactly the values its
    service sent (validated, not read from the environment). The service's own settings class is
    not imported: that would load the service's code (in matching, its geometry) for nothing."""
    settings_class: type[ServiceSettings] = type(
        f"{service.title()}RelaySettings", (ServiceSettings,), {"service_name": service}
    )
    return settings_class.model_validate(values)


def read_first_line(fd: int) -> bytes:
    """The handshake line; wake-up bytes that came with it are dropped (they only say 'look')."""
    received = b""
    while b"\n" not in received:
        chunk = os.read(fd, 65536)
        if not chunk:
            raise EOFError("the service closed the pipe before sending its settings")
        received += chunk
    return received.split(b"\n", 1)[0]


def metrics_snapshot(service: str) -> dict[str, Any]:
    """The relay's metrics as this process counts them (totals, not increments: a snapshot the
    service misses costs nothing)."""
    return {
        "published": {s.labels["subject"]: s.value for s in _samples(EVENTS_PUBLISHED) if s.name.endswith("_total")},
        "failures": sum(s.value for s in _samples(PUBLISH_FAILURES) if s.name.endswith("_total")),
        "pending": _gauge(OUTBOX_PENDING, service),
        "oldest_age": _gauge(OUTBOX_OLDEST_AGE, service),
    }


def _samples(metric: Any) -> list[Any]:
    collected: list[Metric] = list(metric.collect())
    return [sample for family in collected for sample in family.samples]


def _gauge(metric: Any, service: str) -> float | None:
    values = [s.value for s in _samples(metric) if s.labels.get("service") == service]
    return values[0] if values else None


async def run(settings: ServiceSettings, metrics_fd: int) -> None:
    engine = make_engine(settings.database_url)
    broker = _Broker()
    relay = OutboxRelay(
        engine,
        outbox_table(MetaData()),  # every service's outbox has this one shape
        JetStreamPublisher(broker, window=settings.outbox_publish_window),
        poll_seconds=settings.outbox_poll_seconds,
        batch_size=settings.outbox_batch_size,
        retention=timedelta(days=settings.outbox_retention_days),
        service=settings.service_name,
    )
    loop = asyncio.get_running_loop()

    def woken() -> None:
        try:
            data = os.read(STDIN, 65536)
        except BlockingIOError:
            return
        if data:
            relay.notify()
            return
        loop.remove_reader(STDIN)  # the service is gone or stopping: finish the batch and end
        log.info("outbox_relay_process_stopping", reason="service closed the pipe")
        stop()

    def stop() -> None:
        stopping.set()
        relay.stop()

    def terminated() -> None:
        log.info("outbox_relay_process_stopping", reason="SIGTERM")
        stop()

    stopping = asyncio.Event()
    os.set_blocking(STDIN, False)
    loop.add_reader(STDIN, woken)

    loop.add_signal_handler(signal.SIGTERM, terminated)
    os.set_blocking(metrics_fd, False)
    connecting = asyncio.create_task(_connect(settings, broker, relay))
    reporting = asyncio.create_task(_report_metrics(metrics_fd, settings.service_name))
    log.info("outbox_relay_process_started", pid=os.getpid())
    try:
        # nothing is leased before there is a broker to publish to
        await asyncio.wait([connecting, asyncio.ensure_future(stopping.wait())], return_when=asyncio.FIRST_COMPLETED)
        if not stopping.is_set():
            await relay.run()
    finally:
        connecting.cancel()
        reporting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporting
        _send(metrics_fd, metrics_snapshot(settings.service_name))
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await broker.stop()
        engine.dispose()
        log.info("outbox_relay_process_stopped")


class _Broker:
    """What `JetStreamPublisher` needs of a broker (`messaging.Connected`): the connection.
    nats-py's client alone -- the service's FastStream broker would cost this process a fifth of
    its memory for nothing."""

    def __init__(self) -> None:
        self.connection: Any = None

    async def stop(self) -> None:
        if self.connection is not None:
            await self.connection.close()


async def _connect(settings: ServiceSettings, broker: _Broker, relay: OutboxRelay) -> None:
    """Connects to the broker, retrying while it is away; nats-py reconnects by itself after that."""

    async def error(exc: Exception) -> None:
        log.warning("broker_error", error=repr(exc))

    delay = 0.5
    while True:
        try:
            connection = await nats.connect(
                settings.nats_servers,
                **connect_options(settings),
                name=f"quartiersnetz-{settings.service_name}-outbox-relay",
                **RECONNECT,
                error_cb=error,
            )
            install_fast_headers(connection)
            broker.connection = connection
            relay.notify()
            return
        except Exception as exc:  # noqa: BLE001 -- keep trying; the outbox holds the events meanwhile
            log.warning("broker_unavailable", error=repr(exc), retry_in_seconds=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def _report_metrics(fd: int, service: str) -> None:
    last: dict[str, Any] | None = None
    while True:
        snapshot = metrics_snapshot(service)
        if snapshot != last:
            _send(fd, snapshot)
            last = snapshot
        await asyncio.sleep(METRICS_EVERY_SECONDS)


def _send(fd: int, snapshot: dict[str, Any]) -> None:
    # never blocks: a service that does not read gets the next snapshot, which holds the totals
    with contextlib.suppress(BlockingIOError, BrokenPipeError, OSError):
        os.write(fd, json.dumps(snapshot).encode() + b"\n")


def main() -> int:
    # Ctrl-C in a terminal reaches the whole process group; the service decides when this ends
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handshake = json.loads(read_first_line(STDIN))
    settings = load_settings(handshake["service"], handshake["settings"])
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    structlog.contextvars.bind_contextvars(process="outbox-relay")
    asyncio.run(run(settings, handshake["metrics_fd"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
