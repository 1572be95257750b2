"""The public volunteer form (/mitmachen) is limited per client by the portal itself: matching
sees every form come from the portal's address, so its own limit would count every newcomer
together. One client who sends too many gets a German page saying when to try again; another
client is not held up by them; behind a trusted reverse proxy the client is the one its
X-Forwarded-For names, and from anyone else that header changes nothing. On the portal's clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from qn_portal.app import create_app

from qn_infra.clock import FixedClock
from qn_testkit.days import BERLIN, reference_day

pytestmark = pytest.mark.integration

INCOMPLETE = {"display_name": "Greta W."}  # the portal refuses it itself: only the limit is tried here


@pytest.fixture
def newcomers(portal_settings, kit):
    """`newcomers(address, **settings)`: a browser at `address` in front of one portal app with
    these settings (the same app for every call of one test); returns (client, clock)."""
    clock = FixedClock(reference_day())
    apps: dict[str, Any] = {}
    opened: list[TestClient] = []

    def open_from(address: str, **settings: Any) -> TestClient:
        if "app" not in apps:
            update = {"city_dir": kit.DEMO_CITY, "public_form_rate_limit": "2/hour", **settings}
            apps["app"] = create_app(portal_settings.model_copy(update=update), clock=clock)
        client = TestClient(apps["app"], base_url=kit.PORTAL_URL, client=(address, 40000))
        client.__enter__()
        opened.append(client)
        return client

    open_from.clock = clock  # type: ignore[attr-defined]
    yield open_from
    for client in opened:
        client.__exit__(None, None, None)


def send(client: TestClient, kit: Any, forwarded_for: str | None = None) -> Any:
    token = kit.csrf_of(client.get("/mitmachen").text)
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/mitmachen", data={"csrf_token": token, **INCOMPLETE}, headers=headers)


def test_one_client_is_limited_and_another_is_not(newcomers, kit):
    first, second = newcomers("198.51.100.1"), newcomers("198.51.100.2")
    assert [send(first, kit).status_code for _ in range(2)] == [422, 422]
    refused = send(first, kit)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "3600"
    again = (newcomers.clock.now() + timedelta(hours=1)).astimezone(BERLIN)
    assert "Zu viele Anmeldungen" in refused.text and f"ab {again:%H:%M} Uhr noch einmal" in refused.text
    assert send(second, kit).status_code == 422, "another client has a limit of its own"
    assert send(first, kit, forwarded_for="203.0.113.50").status_code == 429, "not from a trusted proxy"

    newcomers.clock.advance(minutes=59)
    assert send(first, kit).status_code == 429
    newcomers.clock.advance(minutes=1)
    assert send(first, kit).status_code == 422, "an hour later the client may send again"


def test_behind_a_trusted_proxy_each_forwarded_client_is_limited_on_its_own(newcomers, kit):
    proxy = newcomers("10.0.0.5", trusted_proxies=("10.0.0.0/24",))
    assert [send(proxy, kit, forwarded_for="198.51.100.7").status_code for _ in range(3)] == [422, 422, 429]
    assert send(proxy, kit, forwarded_for="198.51.100.8").status_code == 422
    assert send(proxy, kit, forwarded_for="198.51.100.7, 10.0.0.9").status_code == 429
