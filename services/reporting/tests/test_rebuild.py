"""`python -m qn_reporting rebuild`: the aggregates are disposable and come back from the streams --
the same figures the live consumer arrived at, and the live consumer carries on right after."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import nats.errors
import pytest
from nats.aio.client import Client
from sqlalchemy import func, select

from qn_contracts import WireMessage
from qn_contracts.intake import ConcernClosed, ConcernRecorded
from qn_contracts.matching import AssignmentCompleted
from qn_contracts.scheduling import BookingConfirmed, OccurrenceAttended, RoomOccupancyChanged, SiteUpdated
from qn_infra.database import make_engine
from qn_reporting import rebuild as rebuild_module
from qn_reporting.app import create_app
from qn_reporting.db import PROCESSED_EVENTS
from qn_reporting.figures.catalogue import COUNTS as COUNT_METRICS
from qn_reporting.figures.catalogue import SUMS as SUM_METRICS
from qn_reporting.figures.store import UNPLACED
from qn_reporting.rebuild import RebuildFailed, rebuild
from qn_testkit.services import REPO, service_env
from qn_testkit.streams import consumer_backlog, publish_raw, read_stream
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

DURABLES = {
    "QN_INTAKE": "reporting-intake-events",
    "QN_MATCHING": "reporting-matching-events",
    "QN_SCHEDULING": "reporting-scheduling-events",
}


def rebuild_command(settings, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
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
        [sys.executable, "-m", "qn_reporting", "rebuild", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rows_in(database_url: str, *tables) -> list[int]:  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [connection.execute(select(func.count()).select_from(t)).scalar_one() for t in tables]
    finally:
        engine.dispose()


# -- events -------------------------------------------------------------------------------------


def concern(quarter: str, *topics: str) -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id=quarter, channel="home_visit", topics=list(topics), urgency="plannable"
    )


def closed(quarter: str, *topics: str) -> ConcernClosed:
    return ConcernClosed(concern_id=uuid.uuid4(), quarter_id=quarter, topics=list(topics), outcome="resolved")


def booking(site: str) -> BookingConfirmed:
    return BookingConfirmed(
        booking_id=uuid.uuid4(),
        site_id=site,
        room_id="gruppe",
        starts_at=datetime.fromisoformat("2026-11-24T10:00:00+01:00"),
        ends_at=datetime.fromisoformat("2026-11-24T12:00:00+01:00"),
    )


def site(site_id: str, quarter: str) -> SiteUpdated:
    return SiteUpdated(site_id=site_id, name=site_id.title(), quarter_id=quarter, rooms=[], opening_hours=[])


def hours(quarter: str, value: str) -> AssignmentCompleted:
    return AssignmentCompleted(
        match_id=uuid.uuid4(),
        help_request_id=uuid.uuid4(),
        volunteer_ref=uuid.uuid4(),
        quarter_id=quarter,
        help_kind="shopping",
        hours=Decimal(value),
    )


def attended(site_id: str, quarter: str, people: int, *topics: str) -> OccurrenceAttended:
    return OccurrenceAttended(
        offer_id=uuid.uuid4(),
        site_id=site_id,
        quarter_id=quarter,
        occurrence_start=datetime.fromisoformat("2026-11-24T10:00:00+01:00"),
        attendance=people,
        topics=list(topics),
    )


def room_week(booked: int) -> RoomOccupancyChanged:
    return RoomOccupancyChanged(
        site_id="rosseltreff",
        room_id="gruppe",
        quarter_id="rosslau",
        week="2026-W48",
        week_start=datetime.fromisoformat("2026-11-23").date(),
        minutes_booked=booked,
        minutes_open=2400,
    )


def unknown_type(reporting) -> WireMessage:  # type: ignore[no-untyped-def]
    known = reporting.wire(concern("rosslau", "einsamkeit"), "2026-10-31T23:30:00+00:00")
    event_id = str(uuid.uuid4())
    headers = {
        **known.headers,
        "ce-id": event_id,
        "Nats-Msg-Id": event_id,
        "ce-type": "qn.intake.concern.escalated.v1",
        "ce-dataschema": "urn:quartiersnetz:schema:qn.v1.intake.concern.escalated",
    }
    return WireMessage("qn.v1.intake.concern.escalated", b'{"level": 2}', headers)


def invalid(reporting) -> WireMessage:  # type: ignore[no-untyped-def]
    valid = reporting.wire(concern("rosslau", "einsamkeit"), "2026-11-02T10:00:00+00:00")
    return WireMessage(valid.subject, b'{"concern_id": "not a uuid"}', valid.headers)


# -- figures ------------------------------------------------------------------------------------


def all_figures(reporting) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Every figure reporting answers, broken down by month, quarter and topic."""
    figures = {}
    for path, metrics in (("/counts", COUNT_METRICS), ("/sums", SUM_METRICS)):
        for metric in sorted(metrics):
            response = reporting.client.get(path, params={"metric": metric}, headers=reporting.office())
            assert response.status_code == 200, response.text
            figures[f"{path} {metric}"] = response.json()
    return figures


def finer_figures(reporting) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The published finer figures of 2026 (breakdowns, freshness, offers' names included)."""
    return {
        name: reporting.client.get(f"/figures/{name}", params={"year": "2026"}).json()
        for name in ("unmet_need", "early_warning", "neighbourly_help", "drop_in", "occupancy")
    }


def cells(figures: dict[str, Any]) -> dict[tuple[str, str, str, str], float]:
    """figure -> value per (figure, month, quarter, topic), the rows being one cell each."""
    out = {}
    for name, answer in figures.items():
        for row in answer["rows"]:
            out[(name, row["month"], row["quarter_id"], row["topic"])] = row.get("count", row.get("value"))
    return out


def plus(before: dict[str, Any], *changes: tuple[str, str, str, str, float]) -> dict[tuple[str, str, str, str], float]:
    out = cells(before)
    for key in changes:
        *cell, delta = key
        out[tuple(cell)] = out.get(tuple(cell), 0) + delta  # type: ignore[index]
        if not out[tuple(cell)]:  # type: ignore[index]
            del out[tuple(cell)]  # type: ignore[arg-type]
    return out


def backlogs(url: str) -> list[int]:
    return [asyncio.run(consumer_backlog(url, stream, durable)) for stream, durable in DURABLES.items()]


def wait_until_consumed(reporting) -> None:  # type: ignore[no-untyped-def]
    for stream, durable in DURABLES.items():
        eventually(lambda d=durable, s=stream: reporting.pending(d, s) == 0, what=f"{durable} caught up")


# -- tests --------------------------------------------------------------------------------------


def test_a_rebuild_gives_the_figures_the_live_consumer_gave_and_the_live_consumer_carries_on_after_it(
    start_reporting, reporting_settings
) -> None:
    with start_reporting() as reporting:
        first = reporting.wire(concern("rosslau", "einsamkeit", "alter"), "2026-10-05T10:00:00+00:00")
        reporting.send(first)
        reporting.send(first, **{"Nats-Msg-Id": "second-attempt"})  # stored twice, counted once
        reporting.publish(concern("innenstadt-sued", "schulden"), "2026-11-30T23:30:00+00:00")  # December in Berlin
        later = reporting.publish(concern("rosslau", "einsamkeit"), "2026-11-15T09:00:00+00:00")
        reporting.publish(closed("rosslau", "einsamkeit"), "2026-11-20T09:00:00+00:00")
        reporting.send(unknown_type(reporting))
        reporting.send(invalid(reporting))
        reporting.publish(hours("rosslau", "1.5"), "2026-11-03T09:00:00+00:00")
        reporting.publish(hours("innenstadt-sued", "2.25"), "2026-12-03T09:00:00+00:00")
        for _ in range(2):  # before their site is placed
            reporting.publish(booking("rosseltreff"), "2026-11-10T09:00:00+00:00")
        reporting.publish(site("rosseltreff", "rosslau"), "2026-11-11T09:00:00+00:00")
        reporting.publish(booking("rosseltreff"), "2026-11-12T09:00:00+00:00")
        reporting.publish(booking("neutreff"), "2026-11-12T09:00:00+00:00")  # a site not placed yet
        reporting.publish(attended("rosseltreff", "rosslau", 14, "einsamkeit"), "2026-11-24T12:00:00+00:00")
        reporting.publish(attended("rosseltreff", "rosslau", 7, "alter", "einsamkeit"), "2026-11-25T12:00:00+00:00")
        reporting.publish(room_week(240), "2026-11-24T12:00:00+00:00")
        reporting.publish(room_week(120), "2026-11-23T12:00:00+00:00")  # older: the figure stays 240
        wait_until_consumed(reporting)
        eventually(lambda: read_stream(reporting.nats_url, "QN_DEADLETTER"), what="the invalid event dead-lettered")
        live = all_figures(reporting)
        finer = finer_figures(reporting)
        [kept] = [r for r in finer["occupancy"]["rows"] if r["period"] == "2026-W48" and r["detail"] == "gruppe"]
        assert kept["values"]["booked_hours"] == 4.0
    assert live["/counts booking.confirmed"]["total"] == 4
    assert finer["neighbourly_help"]["freshness"]["events"] == 2
    assert [(r["quarter_id"], r["count"]) for r in live["/counts booking.confirmed"]["rows"]] == [
        ("", 1),
        ("rosslau", 3),
    ]
    assert live["/counts concern.recorded"]["total"] == 3
    assert live["/sums assignment.completed.hours"]["total"] == 3.75
    assert live["/sums occurrence.attended.attendance"]["total"] == 21

    done = rebuild_command(reporting_settings)
    assert done.returncode == 0, done.stderr
    assert "QN_INTAKE: 7 messages" in done.stderr  # four events, a second copy, an unknown type, an invalid one
    assert "1 second copies, 1 of unknown types, 1 invalid skipped" in done.stderr
    assert "body.concern_id" in done.stderr
    assert (
        "reporting-intake-events after #7, reporting-matching-events after #2, reporting-scheduling-events after #9"
        in done.stderr
    )
    assert backlogs(reporting_settings.nats_url) == [0, 0, 0]  # nothing is delivered again
    # every event counted once, each id recorded; the booking of the unplaced site waits for it
    assert rows_in(reporting_settings.database_url, PROCESSED_EVENTS, UNPLACED) == [15, 1]

    with start_reporting() as reporting:
        assert all_figures(reporting) == live
        assert finer_figures(reporting) == finer
        reporting.send(later, **{"Nats-Msg-Id": "published-again"})  # an old event, again: counted already
        reporting.publish(concern("rosslau", "wohnen"), "2027-01-04T09:00:00+00:00")
        reporting.publish(booking("rosseltreff"), "2026-11-12T09:00:00+00:00")
        reporting.publish(booking("neutreff"), "2026-11-13T09:00:00+00:00")
        reporting.publish(site("neutreff", "ziebigk"), "2026-11-20T09:00:00+00:00")  # both its bookings move there
        reporting.publish(hours("rosslau", "0.75"), "2026-11-03T09:00:00+00:00")
        wait_until_consumed(reporting)
        eventually(lambda: reporting.total("site.updated") == 2, what="the new site counted")
        after = all_figures(reporting)
    assert cells(after) == plus(
        live,
        ("/counts concern.recorded", "2027-01", "rosslau", "*", 1),
        ("/counts concern.recorded", "2027-01", "rosslau", "wohnen", 1),
        ("/counts booking.confirmed", "2026-11", "rosslau", "*", 1),
        ("/counts booking.confirmed", "2026-11", "", "*", -1),
        ("/counts booking.confirmed", "2026-11", "ziebigk", "*", 2),
        ("/counts site.updated", "2026-11", "ziebigk", "*", 1),
        ("/counts assignment.completed", "2026-11", "rosslau", "*", 1),
        ("/sums assignment.completed.hours", "2026-11", "rosslau", "*", 0.75),
    )
    assert after["/counts concern.recorded"]["total"] == 4
    assert after["/sums assignment.completed.hours"]["total"] == 4.5


def test_events_published_while_a_rebuild_reads_are_counted_by_the_live_consumer_once(
    start_reporting, reporting_settings
) -> None:
    with start_reporting() as reporting:
        for topics in (["einsamkeit", "alter"], ["schulden"]):
            reporting.publish(concern("rosslau", *topics), "2026-11-05T10:00:00+00:00")
        reporting.publish(booking("rosseltreff"), "2026-11-10T09:00:00+00:00")
        reporting.wait_for_total("concern.recorded", 2)
        wait_until_consumed(reporting)
        wire = reporting.wire

    published_meanwhile = [
        wire(concern("rosslau", "wohnen"), "2026-11-06T10:00:00+00:00"),
        wire(site("rosseltreff", "rosslau"), "2026-11-11T09:00:00+00:00"),
    ]

    async def publish_meanwhile(last: dict[str, int]) -> None:
        assert last == {"QN_INTAKE": 2, "QN_MATCHING": 0, "QN_SCHEDULING": 1}
        for message in published_meanwhile:
            await publish_raw(reporting_settings.nats_url, message.subject, message.body, message.headers)

    lines: list[str] = []
    result = rebuild(
        create_app(reporting_settings).state.runtime, progress=lines.append, after_noting=publish_meanwhile
    )
    assert [(r.stream, r.last_sequence, r.messages) for r in result.streams] == [
        ("QN_INTAKE", 2, 2),
        ("QN_MATCHING", 0, 0),
        ("QN_SCHEDULING", 1, 1),
    ]
    assert any(line.startswith("QN_INTAKE: 2 messages") for line in lines), lines
    assert backlogs(reporting_settings.nats_url) == [1, 0, 1]  # exactly what was published meanwhile

    with start_reporting() as reporting:
        reporting.wait_for_total("concern.recorded", 3)
        reporting.wait_for_total("site.updated", 1)
        wait_until_consumed(reporting)
        by_topic = reporting.counts(metric="concern.recorded", group_by="topic")
        assert {r["topic"]: r["count"] for r in by_topic["rows"]} == {
            "*": 3,
            "alter": 1,
            "einsamkeit": 1,
            "schulden": 1,
            "wohnen": 1,
        }
        # the booking read by the rebuild before its site was placed moved to the site's quarter
        by_quarter = reporting.counts(metric="booking.confirmed", group_by="quarter_id")
        assert [(r["quarter_id"], r["count"]) for r in by_quarter["rows"]] == [("rosslau", 1)]


def test_a_rebuild_that_stops_before_the_consumers_are_reset_still_counts_each_event_once(
    start_reporting, reporting_settings, monkeypatch
) -> None:
    with start_reporting() as reporting:
        reporting.publish(concern("rosslau", "einsamkeit"), "2026-11-05T10:00:00+00:00")
        reporting.wait_for_total("concern.recorded", 1)
        wire = reporting.wire
    # stored while reporting is down: the old consumers have not delivered these yet
    for topics in (["alter"], ["wohnen", "alter"]):
        message = wire(concern("rosslau", *topics), "2026-11-06T10:00:00+00:00")
        asyncio.run(publish_raw(reporting_settings.nats_url, message.subject, message.body, message.headers))

    async def broken(*args: object) -> None:
        raise ConnectionError("the broker went away")

    monkeypatch.setattr(rebuild_module, "_continue_after", broken)
    with pytest.raises(RebuildFailed, match="the aggregates are rebuilt"):
        rebuild(create_app(reporting_settings).state.runtime)

    with start_reporting() as reporting:  # the old consumers deliver what the rebuild counted already
        wait_until_consumed(reporting)
        by_topic = reporting.counts(metric="concern.recorded", group_by="topic")
        assert {r["topic"]: r["count"] for r in by_topic["rows"]} == {"*": 3, "alter": 2, "einsamkeit": 1, "wohnen": 1}


def test_on_a_server_that_cannot_reset_consumers_they_stay_where_they_were_and_nothing_counts_twice(
    start_reporting, reporting_settings, monkeypatch
) -> None:
    with start_reporting() as reporting:
        reporting.publish(concern("rosslau", "einsamkeit"), "2026-11-05T10:00:00+00:00")
        reporting.wait_for_total("concern.recorded", 1)
        wire = reporting.wire
    message = wire(concern("rosslau", "alter"), "2026-11-06T10:00:00+00:00")
    asyncio.run(publish_raw(reporting_settings.nats_url, message.subject, message.body, message.headers))
    request = Client.request

    async def before_2_14(self, subject: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
        if subject.startswith("$JS.API.CONSUMER.RESET."):
            raise nats.errors.TimeoutError
        return await request(self, subject, *args, **kwargs)

    monkeypatch.setattr(Client, "request", before_2_14)
    lines: list[str] = []
    result = rebuild(create_app(reporting_settings).state.runtime, progress=lines.append)
    assert [read.continues_after for read in result.streams] == [None, 0, 0]  # empty streams need no reset
    assert any("does not answer a consumer reset" in line for line in lines), lines
    assert backlogs(reporting_settings.nats_url)[0] == 1  # the event published while reporting was down

    with start_reporting() as reporting:
        wait_until_consumed(reporting)
        by_topic = reporting.counts(metric="concern.recorded", group_by="topic")
        assert {r["topic"]: r["count"] for r in by_topic["rows"]} == {"*": 2, "alter": 1, "einsamkeit": 1}


def test_a_rebuild_is_refused_while_reporting_is_running(reporting) -> None:
    for topics in (["einsamkeit", "alter"], ["schulden"], ["einsamkeit"]):
        reporting.publish(concern("rosslau", *topics))
    reporting.wait_for_total("concern.recorded", 3)
    refused = rebuild_command(reporting.settings)
    assert refused.returncode == 2
    assert "stop it first" in refused.stderr
    assert reporting.total("concern.recorded") == 3
    assert reporting.client.get("/readyz").json()["checks"]["consumers"] == "ok"
