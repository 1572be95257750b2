"""The week grid, the series rule a coordinator's ticks make, and the committee's table layout:
plain functions, tested alone."""

from __future__ import annotations

from datetime import date

import pytest
from qn_portal.screens.committee_figures import pivot
from qn_portal.screens.scheduling_calendar import entries_of, monday_of, series_rule, week_days, week_grid, week_of

pytestmark = pytest.mark.unit


def test_a_week_is_named_and_found_as_the_programme_names_it():
    assert week_of(date(2027, 3, 10)) == "2027-W10"
    assert monday_of("2027-W10", date(2026, 1, 1)) == date(2027, 3, 8)
    # the ISO year of the first days of January can be the year before
    assert week_of(date(2027, 1, 1)) == "2026-W53" and monday_of("2026-W53", date(2020, 1, 1)) == date(2026, 12, 28)


@pytest.mark.parametrize("text", ["", "2027-W54", "2027-10", "nonsense", None])
def test_no_such_week_means_the_week_of_today(text):
    assert monday_of(text, date(2027, 3, 10)) == date(2027, 3, 8)


def test_the_ticks_of_the_series_form_become_an_rfc_5545_rule():
    assert series_rule(["FR", "MO", "WE"], 1, date(2027, 12, 31)) == "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20271231"
    assert series_rule(["tu"], 2, date(2028, 1, 4)) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20280104"


def _occurrence(oid: str, start: str, end: str, room: str, booking: str, **more: object) -> dict[str, object]:
    return {"id": oid, "starts_at": start, "ends_at": end, "room_id": room, "status": "scheduled",
            "booking_id": booking, **more}  # fmt: skip


def test_the_grid_has_a_row_per_room_a_cell_per_day_and_shows_an_occurrence_once():
    offers = [{"id": "o1", "title": "Mittagstisch"}]
    occurrences = [[
        _occurrence("x1", "2027-03-08T11:00:00+01:00", "2027-03-08T13:00:00+01:00", "kueche", "b1"),
        _occurrence("x2", "2027-03-10T11:00:00+01:00", "2027-03-10T13:00:00+01:00", "kueche", "b2", attendance=14),
    ]]  # fmt: skip
    bookings = [
        {"id": "b1", "starts_at": "2027-03-08T11:00:00+01:00", "ends_at": "2027-03-08T13:00:00+01:00",
         "room_id": "kueche", "title": "Mittagstisch", "status": "confirmed"},
        {"id": "b9", "starts_at": "2027-03-09T09:00:00+01:00", "ends_at": "2027-03-09T10:00:00+01:00",
         "room_id": "lager", "title": "Teamsitzung", "status": "confirmed"},
    ]  # fmt: skip
    days = week_days(date(2027, 3, 8))
    grid = week_grid(
        [{"room_id": "buero", "name": "Büro"}, {"room_id": "kueche", "name": "Küche"}],
        days,
        entries_of(offers, occurrences, bookings),
    )
    assert [r.room_name for r in grid] == ["Büro", "Küche", "lager"]  # a room no longer listed keeps its booking
    kitchen = grid[1]
    assert [len(c) for c in kitchen.cells] == [1, 0, 1, 0, 0, 0, 0]
    assert kitchen.cells[0][0].occurrence_id == "x1" and kitchen.cells[0][0].times == "11:00–13:00"
    assert kitchen.cells[2][0].attendance == 14
    assert grid[2].cells[1][0].title == "Teamsitzung" and grid[2].cells[1][0].occurrence_id is None


def test_the_committee_table_keeps_reportings_dot_and_puts_periods_in_columns():
    rows = [
        {"period": "2027-Q1", "place": "innenstadt-sued", "place_label": "Innenstadt Süd", "topic": "*", "value": 1234},
        {"period": "2027-Q2", "place": "innenstadt-sued", "place_label": "Innenstadt Süd", "topic": "*", "value": None},
        {"period": "2027-Q1", "place": "city", "place_label": "Stadt gesamt", "topic": "*", "value": 40},
    ]
    periods, lines = pivot(rows, "de")
    assert periods == ["2027-Q1", "2027-Q2"]
    assert [(line.place_label, line.cells) for line in lines] == [
        ("Innenstadt Süd", ["1.234", "."]),
        ("Stadt gesamt", ["40", ""]),
    ]
    assert pivot(rows, "en")[1][0].cells == ["1,234", "."]


def test_the_id_token_is_kept_for_the_sign_out_only_where_the_cookie_has_room():
    from qn_portal.signin.logout import NOT_KEPT, SAME_AS_API_TOKEN, kept_for_sign_out

    assert kept_for_sign_out("id_token", "a.b.c", "a.b.c") == SAME_AS_API_TOKEN
    assert kept_for_sign_out("access_token", "x" * 1200, "i.d.t") == "i.d.t"
    assert kept_for_sign_out("access_token", "x" * 1500, "y" * 1500) == NOT_KEPT
    assert kept_for_sign_out("access_token", "x", None) == NOT_KEPT
