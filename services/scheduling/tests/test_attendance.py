"""Attendance ("Frequentierung") as the coordinator records it after an occurrence, and as it
leaves for reporting: counts only, the site's quarter, the offer's topics and capacity."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import lunch_table, problem_field

pytestmark = pytest.mark.integration


@pytest.fixture
def lunch(scheduling):
    assert scheduling.put_franztreff().status_code == 201
    monday = scheduling.quiet_monday()
    offer = scheduling.offer(lunch_table(monday, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2")).json()
    first = scheduling.occurrences(offer["id"], monday, monday)[0]
    return scheduling, offer, first


def after(scheduling, occurrence) -> None:
    """Moves the service's clock to half an hour after the occurrence began."""
    began = datetime.fromisoformat(occurrence["starts_at"]) + timedelta(minutes=30)
    scheduling.clock.advance(began - scheduling.clock.now())


def attend(scheduling, occurrence, body, headers=None):
    return scheduling.client.post(
        f"/occurrences/{occurrence['id']}/attendance", json=body, headers=headers or scheduling.coordinator()
    )


def test_attendance_of_an_occurrence_reaches_the_broker_for_reporting(lunch) -> None:
    scheduling, offer, first = lunch
    assert offer["capacity"] == 12
    after(scheduling, first)
    body = {"attendance": 14, "new_visitors": 3, "returning_visitors": 11, "by_age_band": {"65_79": 9, "80_plus": 5}}
    recorded = attend(scheduling, first, body)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["attendance"] == 14
    events = eventually(
        lambda: [
            m
            for m in read_stream(scheduling.nats_url, "QN_SCHEDULING")
            if m.headers["ce-type"] == "qn.scheduling.occurrence.attended.v1"
        ],
        what="OccurrenceAttended",
    )
    event = events[0].body
    assert (event["attendance"], event["new_visitors"], event["returning_visitors"]) == (14, 3, 11)
    assert event["by_age_band"] == {"65_79": 9, "80_plus": 5}
    assert (event["quarter_id"], event["topics"], event["capacity"], event["kind"]) == (
        "innenstadt-sued",
        ["existenzsicherung"],
        12,
        "lunch_table",
    )
    assert datetime.fromisoformat(event["occurrence_start"]) == datetime.fromisoformat(first["starts_at"])
    again = attend(scheduling, first, {"attendance": 15})
    assert again.status_code == 409 and again.json()["code"] == "attendance_already_recorded"


def test_attendance_is_counted_only_once_the_occurrence_has_begun_and_adds_up(lunch) -> None:
    scheduling, _, first = lunch
    early = attend(scheduling, first, {"attendance": 5})
    assert early.status_code == 422 and problem_field(early) == "occurrence_id"
    after(scheduling, first)
    parts = attend(scheduling, first, {"attendance": 5, "new_visitors": 2, "returning_visitors": 2})
    assert parts.status_code == 422 and problem_field(parts) == "returning_visitors"
    bands = attend(scheduling, first, {"attendance": 5, "by_age_band": {"80_plus": 4}})
    assert bands.status_code == 422 and problem_field(bands) == "by_age_band"
    unknown = attend(scheduling, first, {"attendance": 5, "by_age_band": {"uralt": 5}})
    assert unknown.status_code == 422
    names = attend(scheduling, first, {"attendance": 5, "visitors": ["Frau Muster"]})
    assert names.status_code == 422


def test_a_carrier_records_attendance_only_of_its_own_offers(lunch) -> None:
    scheduling, _, first = lunch
    after(scheduling, first)
    assert attend(scheduling, first, {"attendance": 5}, headers=scheduling.carrier()).status_code == 403
    tafel = scheduling.carrier("dessauer-tafel")
    assert attend(scheduling, first, {"attendance": 5}, headers=tafel).status_code == 200
