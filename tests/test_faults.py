"""Faults a city's operations team will see: the broker crashes, a service is killed in the middle
of its work, someone publishes garbage. Nothing the API accepted is lost or counted twice."""

from __future__ import annotations

import os
import signal
import time

import pytest

from qn_testkit.recording import CONCERN, Recorder, concerns_counted
from qn_testkit.services import ServiceProcess
from qn_testkit.streams import publish_raw, read_stream
from qn_testkit.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.fault]


@pytest.fixture
def city_settings() -> dict[str, dict[str, object]]:
    """The messages a killed reporting had fetched and not yet acknowledged come back after 5 s
    instead of the default 30 s: the same redelivery, sooner."""
    return {"reporting": {"consumer_ack_wait_seconds": 5}}


def test_every_concern_accepted_while_the_broker_is_killed_reaches_reporting_exactly_once(city) -> None:
    recorder = Recorder(city)
    recorder.start()
    eventually(lambda: len(recorder.accepted) >= 20, what="concerns being recorded")
    city.nats.kill()  # SIGKILL: no clean shutdown
    accepted_at_kill = len(recorder.accepted)
    time.sleep(3)
    city.nats.start()
    eventually(lambda: len(recorder.accepted) >= accepted_at_kill + 20, what="recording after the restart")
    each_accepted_concern_counted_once(city, recorder)
    assert len(recorder.accepted) > accepted_at_kill, "intake kept accepting concerns"
    assert 500 not in recorder.refused


def test_a_consumer_killed_mid_handling_counts_nothing_twice(city) -> None:
    recorder = Recorder(city)
    recorder.start()
    eventually(lambda: len(recorder.accepted) >= 15, what="concerns being recorded")
    city.services["reporting"].kill()  # SIGKILL while it handles the flow of events
    time.sleep(1)
    city.services["reporting"].start()
    eventually(lambda: len(recorder.accepted) >= 40, what="more concerns")
    each_accepted_concern_counted_once(city, recorder)


def test_an_outbox_relay_killed_mid_stream_is_started_again_and_publishes_every_concern_once(city) -> None:
    """The relay publishes from a process of its own (the default outside in-process tests): kill
    intake's while concerns flow in, and its service starts another, which publishes what waited."""
    intake = city.services["intake"]
    recorder = Recorder(city)
    recorder.start()
    eventually(lambda: len(recorder.accepted) >= 15, what="concerns being recorded")
    killed = relay_pid(intake)
    os.kill(killed, signal.SIGKILL)
    eventually(lambda: relay_pid(intake) != killed, what="a new relay process")
    accepted_at_kill = len(recorder.accepted)
    eventually(lambda: len(recorder.accepted) >= accepted_at_kill + 20, what="more concerns")
    each_accepted_concern_counted_once(city, recorder)
    exits = [r for r in intake.log_records() if r.get("event") == "outbox_relay_process_exited"]
    assert [r["exit_code"] for r in exits] == [-signal.SIGKILL], "the death logged, with how it died"


def each_accepted_concern_counted_once(city, recorder: Recorder) -> None:  # type: ignore[no-untyped-def]
    """Stops recording; then reporting counts every concern intake accepted, and none twice."""
    recorder.stop_flag.set()
    recorder.join(30)
    eventually(
        lambda: concerns_counted(city) >= len(recorder.accepted), timeout=90, what="every accepted concern counted"
    )
    time.sleep(2)  # any double count would arrive by now
    assert concerns_counted(city) == len(recorder.accepted)


def relay_pid(service: ServiceProcess) -> int:
    """The process id of the service's current relay (its service logs each one it starts)."""
    started = [r["pid"] for r in service.log_records() if r.get("event") == "outbox_relay_process_running"]
    assert started, f"{service.service} started no relay process"
    return int(started[-1])


def test_a_malformed_message_is_dead_lettered_with_its_reason_and_the_service_goes_on(city) -> None:
    subject = "qn.v1.intake.concern.recorded"
    import asyncio

    asyncio.run(publish_raw(city.nats.url, subject, b"{not json", {"ce-specversion": "1.0", "ce-id": "garbage-1"}))
    with city.client("intake", "team_staff", team="team-innenstadt") as intake:
        assert intake.post("/concerns", json=CONCERN).status_code == 201

    eventually(lambda: concerns_counted(city) == 1, what="the valid concern counted")

    def dead_letter_of_reporting():  # type: ignore[no-untyped-def]
        return [
            m
            for m in read_stream(city.nats.url, "QN_DEADLETTER")
            if m.headers.get("qn-dlq-consumer", "").startswith("reporting")
        ]

    dead = eventually(dead_letter_of_reporting, what="a dead letter from reporting")
    assert dead[0].subject.endswith(subject)
    assert dead[0].headers["qn-dlq-reason"]
    assert dead[0].body == b"{not json"
