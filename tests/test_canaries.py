"""The canary scan itself: personal data a test sends is found again wherever it leaks -- in a
stream's subject, header or body, in a log line -- and nothing else is taken for it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import nats
import pytest

from qn_infra.embedded_broker import NatsServer
from qn_infra.messaging import ensure_streams
from qn_testkit.canaries import Canaries, leaks_in_log, leaks_on_broker
from qn_testkit.streams import publish_raw

pytestmark = pytest.mark.integration


async def with_streams(url: str) -> None:
    connection = await nats.connect(url)
    try:
        await ensure_streams(connection.jetstream())
    finally:
        await connection.close()


def sent(canaries: Canaries, path: str, body: dict[str, object]) -> None:
    canaries.watch(httpx.Request("POST", f"http://intake{path}", content=json.dumps(body).encode()))


def test_the_personal_fields_of_a_request_become_canaries_and_codes_do_not() -> None:
    canaries = Canaries()
    sent(
        canaries,
        "/persons",
        {
            "given_name": "Hildegard",
            "family_name": "Li",
            "phone": "0340 7654321",
            "birth_year": 1939,
            "address": {"street": "Franzstraße", "house_number": "147"},
        },
    )
    sent(canaries, "/concerns", {"topics": ["einsamkeit"], "channel": "phone", "note": "ruft nur abends zurück"})
    sent(canaries, "/sites/franztreff", {"street": "Franzstraße 1"})  # a public site address: not a canary

    assert sorted(canaries.found_in("Frau HILDEGARD, Tel. 0340 7654321, Franzstraße")) == [
        "0340 7654321",
        "Franzstraße",
        "Hildegard",
    ]
    assert canaries.found_in("note: ruft nur abends zurück") == ["ruft nur abends zurück"]
    assert canaries.found_in("Li einsamkeit phone walk_in") == []  # too short to tell, and codes
    assert canaries.found_in('{"birth_year": 1939}') == ["1939"]
    assert canaries.found_in("id 4f1c-1939-4a2b, port 1939") == []  # a bare number occurs by chance
    assert canaries.found_in("Franzstraße 1") == ["Franzstraße"]
    assert canaries.found_in("Franztreff, Franzstraße 1", public=True) == []  # a public address


def test_a_name_in_a_header_or_body_on_the_broker_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a broker of its own: the suite's broker fixture would (rightly) find the leak planted here
    nats_server = NatsServer(tmp_path / "jetstream").start()
    try:
        _plant_and_find(nats_server, monkeypatch)
    finally:
        nats_server.stop()


def _plant_and_find(nats_server: NatsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    canaries = Canaries()
    sent(canaries, "/persons", {"family_name": "Schröder-Weiß", "phone": "0340 111222"})
    monkeypatch.setattr("qn_testkit.canaries.CANARIES", canaries)
    asyncio.run(with_streams(nats_server.url))
    asyncio.run(
        publish_raw(
            nats_server.url, "qn.v1.intake.concern.recorded", b'{"x": 1}', {"ce-correlationid": "Schröder-Weiß"}
        )
    )
    asyncio.run(publish_raw(nats_server.url, "qn.v1.intake.concern.closed", b'{"note": "0340 111222"}'))

    leaks = leaks_on_broker(nats_server.url)
    assert leaks == [
        "QN_INTAKE qn.v1.intake.concern.recorded: 'Schröder-Weiß'",
        "QN_INTAKE qn.v1.intake.concern.closed: '0340 111222'",
    ]
    assert leaks_in_log('{"event": "x", "name": "Schröder-Weiß"}', "service log")
