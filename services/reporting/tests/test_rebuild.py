"""`python -m qn_reporting rebuild`: the aggregates are disposable and come back from the streams."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from qn_contracts.intake import ConcernRecorded
from qn_contracts.scheduling import BookingConfirmed, SiteUpdated
from qn_infra.database import make_engine
from qn_reporting.db import PROCESSED_EVENTS
from qn_reporting.figures.store import COUNTS, SITES
from qn_testkit.services import REPO, service_env

pytestmark = pytest.mark.integration


def rebuild_command(settings) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = service_env(
        "reporting",
        settings={
            "database_url": settings.database_url,
            "nats_url": settings.nats_url,
            "data_dir": settings.data_dir,
            "auth_jwks_file": settings.auth_jwks_file,
        },
    )
    return subprocess.run(
        [sys.executable, "-m", "qn_reporting", "rebuild"], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )


def rows_in(database_url: str, *tables) -> list[int]:  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [connection.execute(select(func.count()).select_from(t)).scalar_one() for t in tables]
    finally:
        engine.dispose()


def publish_some(reporting) -> None:  # type: ignore[no-untyped-def]
    reporting.publish(
        SiteUpdated(site_id="rosseltreff", name="Rosseltreff", quarter_id="rosslau", rooms=[], opening_hours=[])
    )
    reporting.publish(
        BookingConfirmed(
            booking_id=uuid.uuid4(),
            site_id="rosseltreff",
            room_id="gruppe",
            starts_at=datetime.fromisoformat("2026-11-24T10:00:00+01:00"),
            ends_at=datetime.fromisoformat("2026-11-24T12:00:00+01:00"),
        )
    )
    for topics in (["einsamkeit", "alter"], ["schulden"], ["einsamkeit"]):
        reporting.publish(
            ConcernRecorded(
                concern_id=uuid.uuid4(), quarter_id="rosslau", channel="home_visit", topics=topics, urgency="plannable"
            )
        )
    reporting.wait_for_total("concern.recorded", 3)


def all_figures(reporting) -> dict[str, list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    metrics = ("concern.recorded", "booking.confirmed", "site.updated")
    return {metric: reporting.counts(metric=metric)["rows"] for metric in metrics}


def test_a_rebuild_empties_the_aggregates_and_the_next_start_counts_every_event_again_once(
    start_reporting, reporting_settings
) -> None:
    with start_reporting() as reporting:
        publish_some(reporting)
        before = all_figures(reporting)
    assert [(r["quarter_id"], r["count"]) for r in before["booking.confirmed"]] == [("rosslau", 1)]

    done = rebuild_command(reporting_settings)
    assert done.returncode == 0, done.stderr
    assert "reporting-intake-events" in done.stderr and "reporting-scheduling-events" in done.stderr
    assert rows_in(reporting_settings.database_url, COUNTS, SITES, PROCESSED_EVENTS) == [0, 0, 0]

    with start_reporting() as reporting:
        reporting.wait_for_total("concern.recorded", 3)
        reporting.wait_for_total("booking.confirmed", 1)
        assert all_figures(reporting) == before


def test_a_rebuild_is_refused_while_reporting_is_running(reporting) -> None:
    publish_some(reporting)
    refused = rebuild_command(reporting.settings)
    assert refused.returncode == 2
    assert "stop it first" in refused.stderr
    assert reporting.total("concern.recorded") == 3
    assert reporting.client.get("/readyz").json()["checks"]["consumers"] == "ok"
