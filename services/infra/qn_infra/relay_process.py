"""The outbox relay in a process of its own: `python -m qn_infra.relay_process`, started, woken and
restarted by its service (`relay_supervisor.RelayProcess`), never by hand.

Why a process (decision 0008): a busy consumer keeps one core's worth of Python busy, and the
relay in the same process competes with it for that one interpreter while the machine's other
cores wait. In a process of its own the same `OutboxRelay` publishes on another core; rows are
leased, so it runs beside any other relay of the service, and on SQLite it takes its turn at the
write lock like any writer (WAL, busy timeout).

What the service and this process say to each other:
- on this process's stdin, first one line of JSON: the service's settings class and settings
  (the very settings the service runs with, secrets included -- a pipe, not the environment or
  the command line, where other users of the machine could read them), the service's import path,
  and the number of the metrics pipe; then one byte per commit ("there is something to publish").
  End of file means the service stopped or died: the relay finishes its batch and ends.
- on the metrics pipe, lines of JSON with the relay's counters and gauges, sent when they change
  (at most once a second); the service shows them on its own /metrics.
Its stdout and stderr are the service's: its log lines go where the service's go, marked
`process: outbox-relay`."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import signal
import sys
from datetime import timedelta
from typing import Any

import structlog
from prometheus_client import Metric
from sqlalchemy import MetaData

from .database import make_engine
from .logs import configure_logging, get_logger
from .messaging import JetStreamPublisher, create_messaging
from .metrics import EVENTS_PUBLISHED, OUTBOX_OLDEST_AGE, OUTBOX_PENDING, PUBLISH_FAILURES
from .nats_headers import install_fast_headers
from .outbox import OutboxRelay, outbox_table
from .settings import ServiceSettings

log = get_logger(__name__)

STDIN = 0
METRICS_EVERY_SECONDS = 1.0


def load_settings(class_path: str, values: dict[str, Any]) -> ServiceSettings:
    """The settings object named `module:Class`, with exactly the values the service sent."""
    module, _, name = class_path.partition(":")
    settings_class = getattr(importlib.import_module(module), name)
    if not (isinstance(settings_class, type) and issubclass(settings_class, ServiceSettings)):
        raise TypeError(f"{class_path} is no service's settings class")
    return settings_class(**values)


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
    broker = create_messaging(settings).broker
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

    stopping = asyncio.Event()
    os.set_blocking(STDIN, False)
    loop.add_reader(STDIN, woken)
    loop.add_signal_handler(signal.SIGTERM, stop)
    os.set_blocking(metrics_fd, False)
    connecting = asyncio.create_task(_connect(broker, relay))
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


async def _connect(broker: Any, relay: OutboxRelay) -> None:
    """Connects to the broker, retrying while it is away (the relay meanwhile retries its batch)."""
    delay = 0.5
    while True:
        try:
            await broker.connect()
            install_fast_headers(broker.connection)
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
    sys.path[:0] = [entry for entry in handshake["sys_path"] if entry not in sys.path]
    settings = load_settings(handshake["settings_class"], handshake["settings"])
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    structlog.contextvars.bind_contextvars(process="outbox-relay")
    asyncio.run(run(settings, handshake["metrics_fd"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
