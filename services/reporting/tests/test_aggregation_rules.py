"""The rules of the statistics office, as plain functions: which cells an event counts in."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from qn_contracts import Event, EventMeta
from qn_contracts.intake import ConcernRecorded, PersonErased
from qn_contracts.matching import AssignmentCompleted, MatchProposed
from qn_contracts.scheduling import BookingConfirmed, OccurrenceAttended
from qn_reporting.figures.domain import BERLIN, Cell, tally

pytestmark = pytest.mark.unit

PERSON = uuid.uuid4()


def meta(event: Event, at: str = "2026-11-12T10:00:00+00:00") -> EventMeta:
    return EventMeta.for_event(event, time=datetime.fromisoformat(at))


def concern(*topics: str, quarter: str = "innenstadt-sued") -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(),
        person_ref=PERSON,
        quarter_id=quarter,
        channel="walk_in",
        topics=list(topics),
        urgency="soon",
    )


def booking(site: str = "franztreff") -> BookingConfirmed:
    return BookingConfirmed(
        booking_id=uuid.uuid4(),
        site_id=site,
        room_id="beratung-1",
        starts_at=datetime.fromisoformat("2026-11-24T10:00:00+01:00"),
        ends_at=datetime.fromisoformat("2026-11-24T12:00:00+01:00"),
    )


def test_a_concern_with_two_topics_counts_once_under_each_topic_and_once_under_all_topics() -> None:
    event = concern("einsamkeit", "schulden")
    counts = tally(event, meta(event)).counts
    assert counts == {
        Cell("concern.recorded", "2026-11", "innenstadt-sued", "*"): 1,
        Cell("concern.recorded", "2026-11", "innenstadt-sued", "einsamkeit"): 1,
        Cell("concern.recorded", "2026-11", "innenstadt-sued", "schulden"): 1,
    }


def test_a_topic_named_twice_in_one_event_counts_once() -> None:
    event = concern("einsamkeit", "einsamkeit")
    assert sorted(c.topic for c in tally(event, meta(event)).counts) == ["*", "einsamkeit"]


@pytest.mark.parametrize(
    ("ce_time", "month"),
    [
        ("2026-10-31T23:30:00+00:00", "2026-11"),  # 00:30 on 1 November in Berlin (CET, +1)
        ("2026-10-31T22:59:59+00:00", "2026-10"),  # 23:59:59 on 31 October in Berlin
        ("2026-06-30T22:00:00+00:00", "2026-07"),  # midnight in summer time (CEST, +2)
        ("2026-06-30T21:59:00+00:00", "2026-06"),
        ("2026-12-31T23:00:00+00:00", "2027-01"),  # new year's night moves the year too
        ("2026-03-01T00:30:00+01:00", "2026-03"),  # an offset other than UTC is respected
    ],
)
def test_the_month_is_the_calendar_month_in_berlin(ce_time: str, month: str) -> None:
    event = concern("einsamkeit")
    assert {c.month for c in tally(event, meta(event, ce_time)).counts} == {month}


@pytest.mark.across_dates
def test_an_event_counts_in_the_month_of_its_day_on_the_berlin_calendar(clock) -> None:
    # half an hour later is another month on New Year's Eve, and in Berlin, not yet in UTC
    for moment in (clock.now(), clock.now() + timedelta(minutes=30)):
        event, local = concern("einsamkeit"), moment.astimezone(BERLIN)
        counted = tally(event, EventMeta.for_event(event, time=moment)).counts
        assert {c.month for c in counted} == {f"{local.year:04d}-{local.month:02d}"}


def test_an_event_without_topics_counts_under_all_topics_only() -> None:
    event = MatchProposed(
        match_id=uuid.uuid4(),
        help_request_id=uuid.uuid4(),
        volunteer_ref=uuid.uuid4(),
        quarter_id="innenstadt-nord",
        score=0.8,
        attempt=1,
        expires_at=datetime.fromisoformat("2026-11-13T10:00:00+00:00"),
    )
    assert tally(event, meta(event)).counts == {Cell("match.proposed", "2026-11", "innenstadt-nord", "*"): 1}


def test_a_booking_counts_in_its_sites_quarter_and_without_a_known_site_in_none() -> None:
    event = booking()
    in_site = tally(event, meta(event), site_quarter="innenstadt-sued").counts
    assert {c.quarter_id for c in in_site} == {"innenstadt-sued"}
    assert {c.quarter_id for c in tally(event, meta(event)).counts} == {""}


def test_an_event_that_names_no_quarter_counts_without_one() -> None:
    event = PersonErased(person_ref=PERSON)
    assert tally(event, meta(event)).counts == {Cell("person.erased", "2026-11", "", "*"): 1}


def test_hours_of_help_are_summed_exactly_and_the_assignment_is_counted() -> None:
    event = AssignmentCompleted(
        match_id=uuid.uuid4(),
        help_request_id=uuid.uuid4(),
        volunteer_ref=uuid.uuid4(),
        quarter_id="innenstadt-sued",
        help_kind="shopping",
        hours=Decimal("1.75"),
    )
    result = tally(event, meta(event))
    assert result.counts == {Cell("assignment.completed", "2026-11", "innenstadt-sued", "*"): 1}
    assert result.sums == {Cell("assignment.completed.hours", "2026-11", "innenstadt-sued", "*"): 175}


def test_attendance_is_summed_under_each_topic_of_the_offer_and_under_all_topics() -> None:
    event = OccurrenceAttended(
        offer_id=uuid.uuid4(),
        site_id="franztreff",
        quarter_id="innenstadt-sued",
        occurrence_start=datetime.fromisoformat("2026-11-11T11:00:00+01:00"),
        attendance=14,
        topics=["alter", "einsamkeit"],
    )
    assert tally(event, meta(event)).sums == {
        Cell("occurrence.attended.attendance", "2026-11", "innenstadt-sued", topic): 1400
        for topic in ("*", "alter", "einsamkeit")
    }


def test_no_cell_holds_a_person_reference_or_a_concern_id() -> None:
    event = concern("einsamkeit")
    keys = " ".join(str(value) for cell in tally(event, meta(event)).counts for value in vars(cell).values())
    assert str(PERSON) not in keys and str(event.concern_id) not in keys
