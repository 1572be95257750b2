"""The outbox relay in a process of its own (the default outside tests): the service starts it with
its own settings, wakes it on each commit, shows its counts, starts it again when it dies, and
it ends when the service stops or dies. On a real nats-server and database."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid

import pytest
from prometheus_client import REGISTRY

from qn_contracts.intake import ConcernRecorded
from qn_infra import relay_supervisor
from qn_infra.relay_process import load_settings
from qn_infra.relay_supervisor import RelayProcess, settings_payload
from qn_testkit.probe import Probe, ProbeSettings, build_probe, started, wait_for
from qn_testkit.streams import stream_messages

pytestmark = pytest.mark.integration


def concern_event() -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=["einsamkeit"], urgency="soon"
    )


def commit_concerns(probe: Probe, count: int) -> list[str]:
    events = [concern_event() for _ in range(count)]
    for event in events:
        with probe.runtime.unit_of_work() as uow:
            uow.emit(event)
            uow.commit()
    return [str(event.concern_id) for event in events]


async def on_stream(url: str, wanted: list[str]) -> None:
    """Waits until the stream holds exactly `wanted` (each once), and says what it holds if not."""

    async def exactly() -> bool:
        held = [m.body["concern_id"] for m in await stream_messages(url, "QN_INTAKE")]
        assert len(held) == len(set(held)), "an event on the stream twice"
        return sorted(held) == sorted(wanted)

    await wait_for(exactly, timeout=30, what=f"{len(wanted)} events on the stream, each once")


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a child that ended but was not yet reaped is a zombie: gone for our purposes
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


async def test_the_relay_process_publishes_what_the_service_commits_and_the_service_counts_it(
    probe_factory, nats_server, cleanup
) -> None:
    probe = await started(probe_factory(outbox_relay="process"))
    cleanup.append(probe)
    subject = ConcernRecorded.spec.subject
    before = metric("qn_events_published_total", subject=subject)

    wanted = commit_concerns(probe, 25)
    await on_stream(nats_server.url, wanted)

    relay = probe.runtime.relay_process
    assert relay is not None and relay.pid is not None and relay.pid != os.getpid()

    async def counted() -> bool:  # the relay's process sends its totals at most once a second
        published = metric("qn_events_published_total", subject=subject) - before
        return published == 25 and metric("qn_outbox_pending", service="probe") == 0

    await wait_for(counted, what="the service's /metrics counting the relay's 25 publishes, none pending")


async def test_a_killed_relay_process_is_started_again_and_publishes_what_waited(
    probe_factory, nats_server, cleanup
) -> None:
    probe = await started(probe_factory(outbox_relay="process"))
    cleanup.append(probe)
    relay = probe.runtime.relay_process
    assert relay is not None
    first = commit_concerns(probe, 5)
    await on_stream(nats_server.url, first)
    restarts = metric("qn_outbox_relay_restarts_total", service="probe")
    killed = relay.pid
    assert killed is not None

    os.kill(killed, signal.SIGKILL)
    await wait_for(lambda: _now(not alive(killed)), what="the relay's process gone")
    waited = commit_concerns(probe, 10)  # committed while no relay runs: they wait in the outbox

    await on_stream(nats_server.url, first + waited)
    assert relay.pid not in (None, killed)
    assert metric("qn_outbox_relay_restarts_total", service="probe") == restarts + 1


async def test_a_relay_process_that_cannot_run_is_retried_and_the_backlog_still_shows(probe_factory) -> None:
    """A relay that dies at once, each time (here: a command that exits with 3): the service keeps
    starting it, less and less often, counts each restart, and measures the outbox itself, so
    that the alerts on a growing backlog and a long-waiting event still fire."""
    probe = probe_factory()
    commit_concerns(probe, 4)
    restarts = metric("qn_outbox_relay_restarts_total", service="probe")
    relay = RelayProcess(
        probe.runtime.settings,
        measure_backlog=probe.runtime.relay.update_backlog_gauges,
        command=[sys.executable, "-c", "import sys; sys.exit(3)"],
    )
    running = asyncio.create_task(relay.run())
    try:

        async def retried_and_measured() -> bool:
            return (
                metric("qn_outbox_relay_restarts_total", service="probe") >= restarts + 2
                and metric("qn_outbox_pending", service="probe") == 4
            )

        await wait_for(retried_and_measured, timeout=10, what="two restarts and the backlog of 4 measured")
        assert relay.exit_code == 3
    finally:
        relay.stop()
        await asyncio.wait_for(running, 5)


async def test_a_relay_process_that_fails_to_start_is_started_again(probe_factory, nats_server, monkeypatch) -> None:
    """Any fault while starting it (here: its settings cannot be written) is logged and retried
    like a death; it never ends the supervision unheard."""
    failures = iter([ValueError("cannot write the settings")])
    write_settings = relay_supervisor.settings_payload

    def fails_once(settings):  # type: ignore[no-untyped-def]
        for failure in failures:
            raise failure
        return write_settings(settings)

    monkeypatch.setattr(relay_supervisor, "settings_payload", fails_once)
    restarts = metric("qn_outbox_relay_restarts_total", service="probe")
    probe = await started(probe_factory(outbox_relay="process"))
    try:
        wanted = commit_concerns(probe, 3)
        await on_stream(nats_server.url, wanted)
        assert metric("qn_outbox_relay_restarts_total", service="probe") == restarts + 1
    finally:
        await probe.runtime.stop()


async def test_the_relay_process_ends_with_its_service(probe_factory, nats_server) -> None:
    probe = await started(probe_factory(outbox_relay="process"))
    relay = probe.runtime.relay_process
    assert relay is not None
    await on_stream(nats_server.url, commit_concerns(probe, 3))
    pid = relay.pid
    assert pid is not None
    await probe.runtime.stop()
    assert not alive(pid), "the relay's process outlived its service"
    assert relay.exit_code == 0, "the relay's process had to be killed"


async def test_a_service_stopped_while_its_relay_process_starts_ends_it_cleanly(probe_factory) -> None:
    probe = probe_factory(outbox_relay="process")
    await probe.runtime.start()
    relay = probe.runtime.relay_process
    assert relay is not None
    await wait_for(lambda: _now(relay.pid is not None), what="the relay's process started")
    pid = relay.pid
    assert pid is not None
    await probe.runtime.stop()  # the process is still importing, and has no broker yet
    assert not alive(pid)
    assert relay.exit_code == 0, "the relay's process had to be killed"


async def test_a_service_stopped_right_after_its_start_leaves_no_relay_process_behind(probe_factory) -> None:
    """uvicorn stops an app whose start-up failed right after starting it: the stop comes before
    the relay's task has even begun, and must hold."""
    probe = probe_factory(outbox_relay="process")
    await probe.runtime.start()
    await probe.runtime.stop()
    relay = probe.runtime.relay_process
    assert relay is not None
    assert relay.pid is None
    assert relay.exit_code in (None, 0), "a relay's process was started and had to be killed"


def test_the_relay_process_ends_when_its_service_dies(databases, nats_server) -> None:
    """A service killed with SIGKILL closes nothing itself: its end of the wake pipe closes with it,
    and the relay reads end of file and ends (no orphan relay publishing forever)."""
    settings = build_probe(databases.create("probe"), nats_server.url)[0].settings
    read_metrics, write_metrics = os.pipe()
    relay = subprocess.Popen(
        [sys.executable, "-m", "qn_infra.relay_process"], stdin=subprocess.PIPE, pass_fds=(write_metrics,)
    )
    os.close(write_metrics)
    try:
        assert relay.stdin is not None
        handshake = {
            "service": "probe",
            "settings": settings_payload(settings),
            "metrics_fd": write_metrics,
        }
        relay.stdin.write(json.dumps(handshake).encode() + b"\n")
        relay.stdin.flush()
        # the relay answers with its first metrics once it runs (so it got past its start)
        with os.fdopen(read_metrics, "rb") as metrics:
            first = json.loads(metrics.readline())
            assert first["failures"] == 0
            relay.stdin.close()  # what the service's death does to the pipe
            assert relay.wait(20) == 0
    finally:
        if relay.poll() is None:
            relay.kill()


def test_the_relay_process_reads_back_the_very_settings_of_its_service_secrets_included(tmp_path) -> None:
    settings = ProbeSettings(
        data_dir=tmp_path,
        nats_url="nats://127.0.0.1:1,nats://127.0.0.1:2",
        nats_user="probe",
        nats_password="not-in-the-environment",
        outbox_batch_size=77,
        consumer_backoff_seconds=(0.1, 0.3),
    )
    payload = json.loads(json.dumps(settings_payload(settings)))  # as it crosses the pipe
    again = load_settings("probe", payload)
    assert again.service_name == "probe"
    assert again.model_dump() == settings.model_dump()
    assert again.nats_secret() == "not-in-the-environment"
    assert again.database_url == settings.database_url  # the service's, though no variable names it


async def _now(value: bool) -> bool:
    return value
