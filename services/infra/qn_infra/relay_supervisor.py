"""The service's side of the outbox relay's process (`relay_process`): starts it with the service's
own settings, wakes it after each commit, shows its metrics, and starts it again when it dies.

A dead relay loses nothing -- the events wait in the outbox -- but nothing is published until it
runs again: its restarts are logged (`outbox_relay_process_exited`), counted
(`qn_outbox_relay_restarts_total`) and alerted on, like a consumer loop's."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

import anyio
from pydantic import SecretStr

from .logs import get_logger
from .metrics import EVENTS_PUBLISHED, OUTBOX_OLDEST_AGE, OUTBOX_PENDING, OUTBOX_RELAY_RESTARTS, PUBLISH_FAILURES
from .settings import ServiceSettings

log = get_logger(__name__)


def settings_payload(settings: ServiceSettings) -> dict[str, Any]:
    """The settings every service shares, as JSON values the relay's process reads back into the
    same values, secrets included (they travel over a pipe only this service and its relay hold)."""
    values = settings.model_dump(mode="json", include=set(ServiceSettings.model_fields))
    for name in ServiceSettings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            values[name] = value.get_secret_value()
    return values


class RelayProcess:
    """Runs `python -m qn_infra.relay_process` for a service while the service runs."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        measure_backlog: Callable[[], None],
        stop_seconds: float = 12.0,
        command: Sequence[str] = (sys.executable, "-m", "qn_infra.relay_process"),
    ) -> None:
        self._settings = settings
        self._command = tuple(command)
        self._measure_backlog = measure_backlog
        """Sets the outbox gauges from the database: while no relay runs, the service does it."""
        self._stop_seconds = stop_seconds
        self._lock = threading.Lock()  # notify() runs in request and consumer threads
        self._wake_fd: int | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        self._seen: dict[str, float] = {}
        self.pid: int | None = None
        """The running relay process's id (None while there is none)."""
        self.exit_code: int | None = None
        """How the last relay process ended (0: cleanly; negative: killed by that signal)."""

    def notify(self) -> None:
        """Wakes the relay after a commit; safe to call from any thread, never blocks."""
        with self._lock:
            if self._wake_fd is None:
                return
            # a full pipe holds wake-ups enough; a broken one means a relay that is being restarted
            with contextlib.suppress(BlockingIOError, BrokenPipeError, OSError):
                os.write(self._wake_fd, b"\x01")

    def stop(self) -> None:
        """Asks the relay to finish its batch and end (it reads end of file); call from the loop.
        A stop that comes before `run()` began holds: `run()` then returns at once."""
        self._stopping = True
        self._stopped.set()

    def reset(self) -> None:
        """Makes a stopped supervisor startable again (the runtime's start, before `run()`)."""
        self._stopping = False
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        """Keeps a relay process running until `stop()`. One that dies is started again after 1 s,
        less and less often (up to every 30 s) if it dies again at once."""
        loop = asyncio.get_running_loop()
        delay = 1.0
        while not self._stopping:
            began = loop.time()
            try:
                code: int | None = await self._run_once()
            except Exception as exc:  # noqa: BLE001 -- could not start it (no memory, no processes left, a
                # fault of ours): retried like a death, never an end of supervision nobody hears of
                code = None
                log.error("outbox_relay_process_not_started", error=repr(exc))
            if self._stopping:
                return
            if loop.time() - began > 60.0:
                delay = 1.0
            OUTBOX_RELAY_RESTARTS.labels(service=self._settings.service_name).inc()
            log.error("outbox_relay_process_exited", exit_code=code, restart_in_seconds=delay)
            # a relay that keeps dying must not leave the backlog's gauges (and their alerts) stale
            with contextlib.suppress(Exception):
                await anyio.to_thread.run_sync(self._measure_backlog)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._stopped.wait()
            delay = min(delay * 2, 30.0)

    async def _run_once(self) -> int:
        wake_read, wake_write = os.pipe()
        metrics_read, metrics_write = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(*self._command, stdin=wake_read, pass_fds=(metrics_write,))
        except BaseException:
            for fd in (wake_write, metrics_read):
                os.close(fd)
            raise
        finally:
            os.close(wake_read)
            os.close(metrics_write)
        self.pid = process.pid
        self._seen = {}
        reading = asyncio.create_task(self._read_metrics(metrics_read))
        released = False
        try:
            handshake = {
                "service": self._settings.service_name,
                "settings": settings_payload(self._settings),
                "metrics_fd": metrics_write,
            }
            # a few kilobytes: the pipe takes them at once, and the process reads them first
            _write_all(wake_write, json.dumps(handshake).encode() + b"\n")
            os.set_blocking(wake_write, False)
            with self._lock:
                self._wake_fd = wake_write
            log.info("outbox_relay_process_running", pid=process.pid)
            waiting = asyncio.ensure_future(process.wait())
            stopping = asyncio.ensure_future(self._stopped.wait())
            try:
                await asyncio.wait([waiting, stopping], return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopping.cancel()
            if waiting.done():
                return waiting.result()
            self._release(wake_write)  # end of file: the relay finishes its batch and ends
            released = True
            try:
                async with asyncio.timeout(self._stop_seconds):
                    return await waiting
            except TimeoutError:
                log.error("outbox_relay_process_did_not_stop", pid=process.pid)
                return await _kill(process)
        finally:
            if not released:
                self._release(wake_write)
            if process.returncode is None:  # cancelled: the service's own stop ran out of time
                await _kill(process)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await reading  # the last snapshot, sent on the way out
            self.pid = None
            self.exit_code = process.returncode

    async def _read_metrics(self, fd: int) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", buffering=0)
        )
        try:
            while line := await reader.readline():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    self._apply(json.loads(line))
        finally:
            transport.close()

    def _apply(self, snapshot: dict[str, Any]) -> None:
        """Turns the relay's totals into increments of this process's counters (per relay
        process: a new one counts from zero) and sets the gauges."""
        for subject, total in snapshot["published"].items():
            self._increase(EVENTS_PUBLISHED.labels(subject=subject), f"published:{subject}", total)
        self._increase(PUBLISH_FAILURES, "failures", snapshot["failures"])
        service = self._settings.service_name
        if snapshot["pending"] is not None:
            OUTBOX_PENDING.labels(service=service).set(snapshot["pending"])
        if snapshot["oldest_age"] is not None:
            OUTBOX_OLDEST_AGE.labels(service=service).set(snapshot["oldest_age"])

    def _increase(self, counter: Any, key: str, total: float) -> None:
        delta = float(total) - self._seen.get(key, 0.0)
        if delta > 0:
            counter.inc(delta)
            self._seen[key] = float(total)

    def _release(self, fd: int) -> None:
        """Closes the wake pipe (once: only `_run_once` calls this, once per process); the lock
        keeps `notify()` from writing to a descriptor number the system may hand out again."""
        with self._lock:
            if self._wake_fd == fd:
                self._wake_fd = None
            os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


async def _kill(process: asyncio.subprocess.Process) -> int:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    return await process.wait()
