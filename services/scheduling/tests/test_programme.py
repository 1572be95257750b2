"""The public weekly programme, as a resident reads it on the notice board or the phone: no login,
German by default, the offers of the week with what is called off, filters that work without
script, and nothing that is not public (single bookings, notes)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import lunch_table, problem_field

pytestmark = pytest.mark.integration


def iso_week(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@pytest.fixture
def planned(scheduling):
    assert scheduling.put_franztreff().status_code == 201
    monday = scheduling.quiet_monday(weeks=2)
    lunch = scheduling.offer(lunch_table(monday)).json()
    debt = scheduling.offer(
        lunch_table(
            monday,
            title="Schuldnerberatung",
            kind="counselling",
            org_id="caritas-dessau",
            room_id="beratung-2",
            topics=["schulden"],
            target_groups=["erwachsene"],
            registration_required=True,
            cost="free",
            starts="09:00",
            ends="12:00",
            rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        )
    ).json()
    wednesday = scheduling.occurrences(lunch["id"], monday + timedelta(days=2), monday + timedelta(days=2))[0]
    cancelled = scheduling.client.post(
        f"/occurrences/{wednesday['id']}/cancel",
        json={"reason": "illness", "note": "Köchin Frau Beispiel ist krank"},
        headers=scheduling.coordinator(),
    )
    assert cancelled.status_code == 200
    scheduling.book("beratung-1", monday + timedelta(days=3), "10:00", "11:00", title="Hausbesuch Familie Muster")
    return scheduling, monday, lunch, debt


def test_a_resident_reads_the_sites_week_without_logging_in(planned) -> None:
    scheduling, monday, _, _ = planned
    page = scheduling.client.get("/sites/franztreff/programme", params={"week": iso_week(monday)})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="de">' in html and "Wochenprogramm" in html
    assert "Montag, " + f"{monday:%d.%m.%Y}" in html and "11:00–13:00" in html
    assert html.count("Mittagstisch") == 3 and "Dessauer Tafel e. V." in html
    assert "entfällt" in html and "Anmeldung nötig" in html and "Kostenbeitrag" in html
    assert "Schuldnerberatung" in html and "Caritas Dessau" in html
    # neither a single booking nor a note is public
    assert "Hausbesuch" not in html and "Beispiel" not in html
    assert "Franzstraße 147" in html


def test_the_page_prints_on_a4_and_loads_nothing_from_elsewhere(planned) -> None:
    scheduling, monday, _, _ = planned
    html = scheduling.client.get("/sites/franztreff/programme", params={"week": iso_week(monday)}).text
    assert "@page { size: A4 portrait" in html and "@media print" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "<caption>" in html and 'scope="col"' in html  # a data table that screen readers can walk


def test_the_city_programme_filters_by_quarter_topic_and_target_group(planned) -> None:
    scheduling, monday, _, _ = planned
    week = iso_week(monday)
    city = scheduling.client.get("/programme", params={"week": week}).text
    assert "Mittagstisch" in city and "Schuldnerberatung" in city and "Franztreff, Gruppenraum" in city
    debt = scheduling.client.get("/programme", params={"week": week, "topic": "schulden"}).text
    assert "Schuldnerberatung" in debt and "Mittagstisch" not in debt
    adults = scheduling.client.get("/programme", params={"week": week, "target_group": "erwachsene"}).text
    assert "Schuldnerberatung" in adults and "Mittagstisch" not in adults
    elsewhere = scheduling.client.get("/programme", params={"week": week, "quarter": "rosslau"}).text
    assert "Mittagstisch" not in elsewhere and "In dieser Woche ist nichts geplant." in elsewhere
    next_week = scheduling.client.get("/programme", params={"week": iso_week(monday + timedelta(days=7))}).text
    assert "entfällt" not in next_week


def test_the_programme_speaks_english_when_asked_and_names_a_bad_filter(planned) -> None:
    scheduling, monday, _, _ = planned
    english = scheduling.client.get("/sites/franztreff/programme", params={"week": iso_week(monday), "lang": "en"})
    assert '<html lang="en">' in english.text and "Weekly programme" in english.text and "Monday" in english.text
    by_header = scheduling.client.get("/programme", headers={"Accept-Language": "en"})
    assert "Weekly programme of the drop-in centres" in by_header.text
    topic = scheduling.client.get("/programme", params={"topic": "astrologie"})
    assert topic.status_code == 422 and problem_field(topic) == "topic"
    week = scheduling.client.get("/programme", params={"week": "2027-W60"})
    assert week.status_code == 422
    missing = scheduling.client.get("/sites/nirgendwo/programme")
    assert missing.status_code == 404
