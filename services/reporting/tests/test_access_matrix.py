"""Who may read what in reporting, cell by cell: every operation of the API x every role (and no
token). Reporting holds city-wide aggregates only, the same for every reader, so there is no own
and other record here; an allowed reader sees the figure of the concern published beforehand.

The table below is this test's own, not the service's policy: change them together."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from qn_contracts.intake import ConcernRecorded
from qn_infra.clock import TickingClock
from qn_reporting.app import create_app
from qn_reporting.config import ReportingSettings
from qn_testkit.access_matrix import CALLERS, PUBLIC, Call, row, untabled, walk
from qn_testkit.days import reference_day
from qn_testkit.services import running_app
from qn_testkit.waiting import eventually

from .conftest import Reporting

pytestmark = pytest.mark.integration

READERS = {"committee", "coordinator", "team_staff", "admin"}
OFFICE = {"admin"}

TABLE = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /counts": row(OFFICE),
    "GET /sums": row(OFFICE),
    "GET /metrics-catalogue": row(READERS),
    "GET /tables/{metric}": PUBLIC,
    "GET /figures/{figure}": PUBLIC,
    "GET /dashboard": PUBLIC,
    "GET /reports/{period}.pdf": PUBLIC,
}

PARAMS = {
    "GET /counts": {"metric": "concern.recorded", "topic": "*", "group_by": ""},
    "GET /sums": {"metric": "assignment.completed.hours"},
    "GET /tables/{metric}": {"year": "2026"},
    "GET /figures/{figure}": {"year": "2026"},
}


class ReportingWorld:
    def __init__(self, reporting: Reporting) -> None:
        self.reporting, self.client = reporting, reporting.client
        reporting.publish(
            ConcernRecorded(
                concern_id=uuid.uuid4(), quarter_id="rosslau", channel="walk_in", topics=["alter"], urgency="soon"
            )
        )
        reporting.wait_for_total("concern.recorded", 1)
        self.shown: dict[str, Any] = {}

    def headers(self, role: str | None) -> dict[str, str]:
        return {} if role is None else self.reporting.tokens.headers(role, subject=f"{role}.matrix")

    def call(self, operation: str, owner: str | None, *, fresh: bool) -> Call:
        method, path = operation.split(" ", 1)
        path = path.replace("{metric}", "concern.recorded").replace("{figure}", "unmet_need")
        return Call(method, path.replace("{period}", "2026-Q4"), params=PARAMS.get(operation, {}))

    def owners(self, operation: str, body: Any) -> set[str] | None:
        return None  # figures belong to nobody

    def after(self, operation: str, owner: str | None, response: httpx.Response) -> None:
        if operation == "GET /counts" and response.status_code == 200:
            self.shown[operation] = response.json()["total"]


@pytest.fixture(scope="module")
def world(module_service_settings: Any, tokens: Any) -> Iterator[ReportingWorld]:
    settings = module_service_settings(ReportingSettings, consumer_backoff_seconds=(0.2, 0.5))
    clock = TickingClock(reference_day())
    app = create_app(settings, clock=clock)
    with running_app(app, migrations_of="reporting", database_url=settings.database_url) as client:
        eventually(lambda: client.get("/readyz").status_code == 200, what="reporting ready")
        yield ReportingWorld(Reporting(client, settings.nats_url, tokens, settings, clock))


def test_every_operation_of_the_api_has_a_row_in_the_table(world: ReportingWorld) -> None:
    assert untabled(world.client.app.openapi(), TABLE) == []


@pytest.mark.parametrize("role", CALLERS, ids=[role or "no-token" for role in CALLERS])
def test_each_caller_is_allowed_and_refused_exactly_as_the_table_says(world: ReportingWorld, role: str | None) -> None:
    world.shown.clear()
    problems = walk(world, world.client.app.openapi(), TABLE, role)
    assert not problems, "\n".join(problems)
    if role in OFFICE:
        assert world.shown == {"GET /counts": 1}, "the office sees the raw figure, not an empty answer"
    else:
        assert world.shown == {}, "a raw cell of 1 reaches no reader outside the office"
