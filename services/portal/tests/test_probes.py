"""What an orchestrator asks the portal: alive, ready (intake answers), metrics -- no sign-in."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from qn_portal.config import PortalSettings

from qn_infra.embedded_broker import free_port


def test_the_portal_is_ready_while_intake_answers_and_not_ready_without_it(
    portal: Callable[..., TestClient], portal_settings: PortalSettings
) -> None:
    ready = portal().get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"intake": True}

    nowhere = portal_settings.model_copy(update={"intake_url": f"http://127.0.0.1:{free_port()}"})
    not_ready = portal(nowhere).get("/readyz")
    assert not_ready.status_code == 503 and not_ready.json()["checks"] == {"intake": False}
    assert portal(nowhere).get("/healthz").status_code == 200, "alive, though not ready"


def test_the_portal_serves_prometheus_metrics_without_a_session(portal: Callable[..., TestClient]) -> None:
    answer = portal().get("/metrics")
    assert answer.status_code == 200
    assert "# TYPE" in answer.text
