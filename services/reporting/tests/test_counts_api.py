"""Raw figures over HTTP, as the statistics office checks them (admins only: readers get the
protected tables), from events as producers publish them."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import String, column, create_engine, inspect, select, table

from qn_contracts.intake import ConcernRecorded, HelpRequested
from qn_contracts.matching import AssignmentCompleted
from qn_contracts.scheduling import BookingConfirmed, OccurrenceAttended, SiteUpdated
from qn_testkit.days import BERLIN

pytestmark = pytest.mark.integration


def concern(*topics: str, quarter: str = "innenstadt-sued", person: uuid.UUID | None = None) -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(),
        person_ref=person or uuid.uuid4(),
        quarter_id=quarter,
        channel="walk_in",
        topics=list(topics),
        urgency="soon",
    )


def booking(site: str) -> BookingConfirmed:
    return BookingConfirmed(
        booking_id=uuid.uuid4(),
        site_id=site,
        room_id="beratung-1",
        starts_at=datetime.fromisoformat("2026-11-24T10:00:00+01:00"),
        ends_at=datetime.fromisoformat("2026-11-24T12:00:00+01:00"),
    )


def assignment(hours: str, volunteer: uuid.UUID) -> AssignmentCompleted:
    return AssignmentCompleted(
        match_id=uuid.uuid4(),
        help_request_id=uuid.uuid4(),
        volunteer_ref=volunteer,
        quarter_id="innenstadt-nord",
        help_kind="shopping",
        hours=Decimal(hours),
    )


def test_concerns_are_counted_per_berlin_month_quarter_and_topic_without_double_counting(reporting) -> None:
    reporting.publish(concern("einsamkeit", "schulden"), at="2026-10-31T23:30:00+00:00")  # November in Berlin
    reporting.publish(concern("einsamkeit"), at="2026-11-20T09:00:00+00:00")
    reporting.publish(concern("wohnen", quarter="innenstadt-nord"), at="2026-10-15T09:00:00+00:00")
    reporting.wait_for_total("concern.recorded", 3)

    figures = reporting.counts(metric="concern.recorded", **{"from": "2026-01", "to": "2026-12"})
    rows = {(r["month"], r["quarter_id"], r["topic"]): r["count"] for r in figures["rows"]}
    assert rows == {
        ("2026-10", "innenstadt-nord", "*"): 1,
        ("2026-10", "innenstadt-nord", "wohnen"): 1,
        ("2026-11", "innenstadt-sued", "*"): 2,
        ("2026-11", "innenstadt-sued", "einsamkeit"): 2,
        ("2026-11", "innenstadt-sued", "schulden"): 1,
    }
    assert figures["total"] == 3
    assert (figures["metric"], figures["from"], figures["to"]) == ("concern.recorded", "2026-01", "2026-12")


@pytest.mark.across_dates
def test_a_concern_recorded_now_counts_in_this_month_and_one_half_an_hour_later_in_its_own(reporting) -> None:
    now = reporting.clock.now()
    later = now + timedelta(minutes=30)  # on New Year's Eve: January, and the next year
    reporting.publish(concern("einsamkeit"))
    reporting.publish(concern("einsamkeit"), at=later.isoformat())
    reporting.wait_for_total("concern.recorded", 2)

    this_month, next_one = (f"{m.astimezone(BERLIN):%Y-%m}" for m in (now, later))
    rows = reporting.counts(metric="concern.recorded", group_by="month")["rows"]
    expected = Counter([this_month, next_one])
    assert {r["month"]: r["count"] for r in rows} == expected
    assert reporting.total("concern.recorded", **{"from": this_month, "to": this_month}) == expected[this_month]
    assert reporting.total("concern.recorded", **{"from": this_month, "to": next_one}) == 2


def test_figures_can_be_filtered_and_added_up_over_the_dimensions_not_asked_for(reporting) -> None:
    reporting.publish(concern("einsamkeit", "schulden"), at="2026-11-02T09:00:00+00:00")
    reporting.publish(concern("einsamkeit", quarter="innenstadt-nord"), at="2026-12-02T09:00:00+00:00")
    reporting.publish(concern("wohnen"), at="2027-01-05T09:00:00+00:00")
    reporting.wait_for_total("concern.recorded", 3)

    per_month = reporting.counts(metric="concern.recorded", group_by="month")
    assert [(r["month"], r["quarter_id"], r["topic"], r["count"]) for r in per_month["rows"]] == [
        ("2026-11", None, None, 1),
        ("2026-12", None, None, 1),
        ("2027-01", None, None, 1),
    ]
    lonely = reporting.counts(metric="concern.recorded", topic="einsamkeit", group_by="quarter_id")
    assert {r["quarter_id"]: r["count"] for r in lonely["rows"]} == {"innenstadt-nord": 1, "innenstadt-sued": 1}
    assert lonely["total"] == 2
    in_2026_south = reporting.counts(metric="concern.recorded", quarter_id="innenstadt-sued", to="2026-12", group_by="")
    assert in_2026_south["rows"] == [{"month": None, "quarter_id": None, "topic": None, "count": 1}]
    assert reporting.total("concern.recorded", **{"from": "2028-01"}) == 0


def test_bookings_count_in_the_quarter_of_their_site_and_hours_and_attendance_are_summed(reporting) -> None:
    reporting.publish(
        SiteUpdated(site_id="franztreff", name="Franztreff", quarter_id="innenstadt-sued", rooms=[], opening_hours=[])
    )
    reporting.publish(booking("franztreff"), at="2026-11-03T09:00:00+00:00")
    reporting.publish(assignment("1.5", uuid.uuid4()), at="2026-11-03T09:00:00+00:00")
    reporting.publish(assignment("2.25", uuid.uuid4()), at="2026-11-04T09:00:00+00:00")
    reporting.publish(
        OccurrenceAttended(
            offer_id=uuid.uuid4(),
            site_id="franztreff",
            quarter_id="innenstadt-sued",
            occurrence_start=datetime.fromisoformat("2026-11-11T11:00:00+01:00"),
            attendance=14,
            topics=["alter"],
        ),
        at="2026-11-11T13:00:00+00:00",
    )
    # three consumers, one per producer's stream: each is waited for (they keep no order between them)
    reporting.wait_for_total("occurrence.attended", 1)
    reporting.wait_for_total("booking.confirmed", 1)
    reporting.wait_for_total("assignment.completed", 2)

    bookings = reporting.counts(metric="booking.confirmed")
    assert [(r["quarter_id"], r["count"]) for r in bookings["rows"]] == [("innenstadt-sued", 1)]
    hours = reporting.client.get("/sums", params={"metric": "assignment.completed.hours"}, headers=reporting.office())
    assert hours.status_code == 200, hours.text
    assert hours.json()["total"] == 3.75 and hours.json()["unit"] == "hours"
    assert hours.json()["rows"] == [{"month": "2026-11", "quarter_id": "innenstadt-nord", "topic": "*", "value": 3.75}]
    assert reporting.total("assignment.completed") == 2
    attendance = reporting.client.get(
        "/sums", params={"metric": "occurrence.attended.attendance", "topic": "alter"}, headers=reporting.office()
    )
    assert attendance.json()["total"] == 14


def test_nothing_that_identifies_a_person_or_a_concern_is_stored(reporting) -> None:
    person, volunteer = uuid.uuid4(), uuid.uuid4()
    recorded = concern("einsamkeit", person=person)
    help_wanted = HelpRequested(
        help_request_id=uuid.uuid4(),
        concern_id=recorded.concern_id,
        person_ref=person,
        quarter_id="innenstadt-sued",
        help_kind="shopping",
        skills=["shopping"],
        languages=["de"],
        urgency="soon",
    )
    for event in (recorded, help_wanted, assignment("1", volunteer)):
        reporting.publish(event)
    reporting.wait_for_total("assignment.completed", 1)
    reporting.wait_for_total("help.requested", 1)

    secrets = {str(person), str(volunteer), str(recorded.concern_id), str(help_wanted.help_request_id)}
    engine = create_engine(reporting.settings.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    stored: list[str] = []
    with engine.connect() as connection:
        for name in inspect(engine).get_table_names():
            texts = [c["name"] for c in inspect(engine).get_columns(name) if isinstance(c["type"], String)]
            for row in connection.execute(select(*[column(n) for n in texts]).select_from(table(name))):
                stored.extend(str(value) for value in row)
    engine.dispose()
    assert stored, "the aggregates were read"
    assert not [value for value in stored if any(secret in value for secret in secrets)]


def test_the_catalogue_names_every_metric_in_german_and_english(reporting) -> None:
    german = reporting.client.get("/metrics-catalogue", headers=reporting.committee())
    english = reporting.client.get("/metrics-catalogue", headers={**reporting.committee(), "Accept-Language": "en"})
    assert german.status_code == english.status_code == 200
    metrics = {m["metric"]: m for m in german.json()["metrics"]}
    assert metrics["concern.recorded"]["label"] == "Erfasste Anliegen"
    assert metrics["concern.recorded"]["label_en"] == "Concerns recorded"
    assert metrics["assignment.completed.hours"]["kind"] == "sum"
    assert {m["metric"]: m["label"] for m in english.json()["metrics"]}["concern.recorded"] == "Concerns recorded"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "concern.recorded", "from": "2026-13"}, "from"),
        ({"metric": "concern.recorded", "to": "Dezember"}, "to"),
        ({"metric": "concern.recorded", "from": "2026-06", "to": "2026-01"}, "to"),
        ({"metric": "concern.recorded", "group_by": "month,person"}, "group_by"),
        ({"metric": "concern.invented"}, "metric"),
        ({}, "metric"),
    ],
)
def test_a_bad_question_gets_422_naming_the_parameter(reporting, params: dict[str, str], field: str) -> None:
    response = reporting.client.get("/counts", params=params, headers=reporting.office())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["title"] == "Ungültige Eingabe"


def test_without_a_token_the_figures_answer_401_and_to_a_volunteer_403(reporting) -> None:
    params = {"metric": "concern.recorded"}
    assert reporting.client.get("/counts", params=params).status_code == 401
    volunteer = reporting.client.get("/counts", params=params, headers=reporting.tokens.headers("volunteer"))
    assert volunteer.status_code == 403
    assert volunteer.json()["required_roles"] == ["admin"]
    assert reporting.client.get("/metrics-catalogue", headers=reporting.tokens.headers("volunteer")).status_code == 403
    for role in ("committee", "coordinator", "team_staff"):
        # raw cells (a 1 included) are the office's own check; readers read the protected tables
        assert reporting.client.get("/counts", params=params, headers=reporting.tokens.headers(role)).status_code == 403
    assert reporting.client.get("/counts", params=params, headers=reporting.office()).status_code == 200


def test_a_booking_that_arrives_before_its_site_moves_to_the_sites_quarter_once_the_site_is_known(reporting) -> None:
    reporting.publish(booking("rosseltreff"), at="2026-11-03T09:00:00+00:00")
    reporting.wait_for_total("booking.confirmed", 1)
    assert [r["quarter_id"] for r in reporting.counts(metric="booking.confirmed")["rows"]] == [""]

    reporting.publish(
        SiteUpdated(site_id="rosseltreff", name="Rosseltreff", quarter_id="rosslau", rooms=[], opening_hours=[])
    )
    reporting.publish(booking("rosseltreff"), at="2026-11-04T09:00:00+00:00")
    reporting.wait_for_total("booking.confirmed", 2)
    reporting.wait_for_total("site.updated", 1)

    rows = reporting.counts(metric="booking.confirmed")["rows"]
    assert [(r["quarter_id"], r["count"]) for r in rows] == [("rosslau", 2)]
    assert reporting.total("booking.confirmed", quarter_id="rosslau") == 2


def test_the_metric_is_required_and_a_wrong_one_gets_422_listing_the_known_metrics(reporting) -> None:
    """The document said `metric` was optional and any text, and the service then refused both."""
    missing = reporting.client.get("/sums", headers=reporting.office())
    wrong = reporting.client.get("/sums", params={"metric": "hours"}, headers=reporting.office())
    english = reporting.client.get(
        "/sums", params={"metric": "hours"}, headers={**reporting.office(), "Accept-Language": "en"}
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "metric"
    assert wrong.status_code == 422 and wrong.json()["errors"] == [
        {
            "field": "metric",
            "message": "Ungültiger Wert; erlaubt: 'assignment.completed.hours', 'occurrence.attended.attendance'.",
        }
    ]
    assert "'occurrence.attended.attendance'" in english.json()["errors"][0]["message"]
    [parameter] = [
        p
        for p in reporting.client.get("/openapi.json").json()["paths"]["/sums"]["get"]["parameters"]
        if p["name"] == "metric"
    ]
    assert parameter["required"] is True
    assert parameter["schema"]["enum"] == ["assignment.completed.hours", "occurrence.attended.attendance"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"topic": "Einsamkeit"}, "topic"),
        ({"quarter_id": "-nord"}, "quarter_id"),
        ({"group_by": "month,,topic"}, "group_by"),
        ({"from": "\u0662\u0660\u0662\u0666-01"}, "from"),
        ({"metric": "unknown:"}, "metric"),
    ],
)
def test_the_form_of_every_parameter_is_in_the_schema_and_refused_otherwise(reporting, params, field) -> None:
    response = reporting.client.get(
        "/counts", params={"metric": "concern.recorded", **params}, headers=reporting.office()
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_spaces_around_the_dimensions_are_still_read(reporting) -> None:
    figures = reporting.counts(metric="concern.recorded", group_by=" month , topic ")
    assert figures["group_by"] == ["month", "topic"]
