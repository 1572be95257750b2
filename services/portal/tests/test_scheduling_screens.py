"""The drop-in centres' screens against a real scheduling (and reporting for the committee), served
over HTTP on the test's reference day: the coordinator's week, attendance in two taps, a series
with its collision preview, cancelling and moving one occurrence, closures; the carrier's
counselling hours; the committee's protected tables."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from qn_portal.screens.scheduling_calendar import week_of

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def shared() -> dict[str, object]:
    return {}


@pytest.fixture
def as_person(portal, drop_in_settings, drop_in, kit):
    return lambda user_id: kit.sign_in(portal(drop_in_settings, clock=drop_in.clock), user_id)


def _week(drop_in) -> str:
    return week_of(drop_in.today())


def test_the_coordinator_finds_the_centre_and_its_week_by_room_and_day(as_person, kit, drop_in):
    coordinator = as_person(kit.COORDINATOR)
    sites = coordinator.get("/treffs")
    assert sites.status_code == 200 and "Franztreff" in sites.text
    week = coordinator.get(f"/treffs/franztreff/woche?woche={_week(drop_in)}")
    assert week.status_code == 200
    assert f"<h1>Franztreff: Woche {_week(drop_in)}</h1>" in week.text
    assert '<th scope="row">Küche</th>' in week.text and "Mittagstisch" in week.text
    assert "Schuldnerberatung" in week.text and "Mi 10.03." in week.text
    # today's begun lunch table offers attendance; tomorrow's counselling does not yet
    today, tomorrow = drop_in.today(), drop_in.today() + timedelta(days=1)
    assert f"/termine/{drop_in.lunch_today}?tag={today}#attendance" in week.text
    assert f"?tag={tomorrow}#attendance" not in week.text and f"?tag={tomorrow}" in week.text
    following = (drop_in.today() + timedelta(days=7)).isocalendar()
    assert f"woche={following[0]}-W{following[1]:02d}" in week.text


def test_attendance_takes_two_taps_and_a_wrong_count_is_named_at_the_field(as_person, kit, drop_in):
    coordinator = as_person(kit.COORDINATOR)
    page_url = f"/angebote/{drop_in.lunch_offer}/termine/{drop_in.lunch_today}?tag={drop_in.today()}"
    page = coordinator.get(page_url)
    assert page.status_code == 200 and "Wie viele sind gekommen?" in page.text
    action = f"/angebote/{drop_in.lunch_offer}/termine/{drop_in.lunch_today}/teilnahme?tag={drop_in.today()}"
    csrf = kit.csrf_of(page.text)

    wrong = coordinator.post(action, data={"csrf_token": csrf, "attendance": "viele"})
    assert wrong.status_code == 422
    assert '<a href="#attendance">Geben Sie an, wie viele gekommen sind' in wrong.text
    assert 'aria-invalid="true"' in wrong.text

    saved = coordinator.post(action, data={"csrf_token": csrf, "attendance": "14", "new_visitors": "3"})
    assert saved.status_code == 200 and saved.url.path == "/treffs/franztreff/woche"
    assert "Die Teilnahme ist gespeichert." in saved.text and "14 gekommen" in saved.text

    # a second count is scheduling's 409, in its German sentence, next to the field
    again = coordinator.post(action, data={"csrf_token": csrf, "attendance": "15"})
    assert again.status_code == 409 and "Es gibt ein Problem" in again.text
    assert "Traceback" not in again.text and '"detail"' not in again.text


def test_a_series_is_previewed_with_its_collisions_and_saved_leaving_them_out(as_person, kit, drop_in):
    coordinator = as_person(kit.COORDINATOR)
    form = coordinator.get("/treffs/franztreff/angebote/neu")
    assert form.status_code == 200
    monday = drop_in.today() + timedelta(days=7 - drop_in.today().weekday())
    fields = {
        "csrf_token": kit.csrf_of(form.text),
        "title": "Kochkurs",
        "kind": "course",
        "room_id": "kueche",
        "topics": ["existenzsicherung"],
        "first_day": monday.isoformat(),
        "starts": "12:00",
        "ends": "14:00",
        "weekdays": ["MO", "TU"],
        "interval": "1",
        "until": (monday + timedelta(days=20)).isoformat(),
        "on_holiday": "skip",
    }
    missing = coordinator.post("/treffs/franztreff/angebote", data={**fields, "weekdays": [], "step": "preview"})
    assert missing.status_code == 422 and '<a href="#weekdays">Wählen Sie mindestens einen Wochentag.' in missing.text

    preview = coordinator.post("/treffs/franztreff/angebote", data={**fields, "step": "preview"})
    assert preview.status_code == 200
    summary = re.search(r"data-preview-summary[^>]*>([^<]+)<", preview.text)
    counted = re.match(r"(\d+) von (\d+) Terminen kollidieren: ", summary.group(1)) if summary else None
    assert counted and int(counted.group(1)) >= 2, preview.text[-3000:]  # the lunch table's Mondays
    assert "Mittagstisch" in preview.text and "Kollidierende Termine auslassen" in preview.text

    refused = coordinator.post("/treffs/franztreff/angebote", data={**fields, "step": "save"})
    assert refused.status_code == 409 and '<a href="#skip_collisions">' in refused.text

    saved = coordinator.post("/treffs/franztreff/angebote", data={**fields, "step": "save", "skip_collisions": "on"})
    assert saved.status_code == 200 and "Die Terminreihe ist gespeichert." in saved.text
    assert saved.url.params["woche"] == week_of(monday) and "Kochkurs" in saved.text


def test_one_occurrence_is_cancelled_or_moved_with_a_reason(as_person, kit, drop_in):
    coordinator = as_person(kit.COORDINATOR)
    thursday = drop_in.today() + timedelta(days=1)
    week = coordinator.get(f"/treffs/franztreff/woche?woche={_week(drop_in)}")
    link = re.search(rf'href="(/angebote/{drop_in.counselling_offer}/termine/[^"?]+)\?tag={thursday}"', week.text)
    assert link, "Thursday's counselling is in the week"
    page = coordinator.get(f"{link.group(1)}?tag={thursday}")
    csrf = kit.csrf_of(page.text)

    no_reason = coordinator.post(f"{link.group(1)}/absage?tag={thursday}", data={"csrf_token": csrf})
    assert no_reason.status_code == 422 and '<a href="#cancel_reason">Wählen Sie einen Grund.' in no_reason.text

    at_night = coordinator.post(
        f"{link.group(1)}/verlegung?tag={thursday}",
        data={"csrf_token": csrf, "move_day": thursday.isoformat(), "move_starts": "21:00", "move_ends": "22:00",
              "move_reason": "rescheduled"},
    )  # fmt: skip
    assert at_night.status_code == 422 and "Es gibt ein Problem" in at_night.text
    assert "Öffnungszeit" in at_night.text or "geöffnet" in at_night.text, at_night.text[:3000]

    cancelled = coordinator.post(
        f"{link.group(1)}/absage?tag={thursday}",
        data={"csrf_token": csrf, "cancel_reason": "illness", "cancel_note": "Beraterin erkrankt"},
    )
    assert cancelled.status_code == 200 and "Der Termin ist abgesagt." in cancelled.text
    assert "entfällt" in cancelled.text

    friday = drop_in.today() + timedelta(days=2)
    lunch = re.search(rf'href="(/angebote/{drop_in.lunch_offer}/termine/[^"?]+)\?tag={friday}"', cancelled.text)
    assert lunch, "Friday's lunch table is in the week"
    moved = coordinator.post(
        f"{lunch.group(1)}/verlegung?tag={friday}",
        data={"csrf_token": csrf, "move_day": friday.isoformat(), "move_starts": "14:00", "move_ends": "16:00",
              "move_reason": "room_unavailable", "move_note": "Küche wird gereinigt"},
    )  # fmt: skip
    assert moved.status_code == 200 and "Der Termin ist verlegt." in moved.text
    assert "14:00–16:00" in moved.text and "verlegt</span>" in moved.text


def test_closures_are_added_and_removed_by_the_coordinator(as_person, kit):
    coordinator = as_person(kit.COORDINATOR)
    page = coordinator.get("/treffs/franztreff/schliesszeiten")
    assert page.status_code == 200 and "Keine Schließzeiten eingetragen." in page.text
    csrf = kit.csrf_of(page.text)
    bad = coordinator.post("/treffs/franztreff/schliesszeiten", data={"csrf_token": csrf, "first_day": "morgen"})
    assert bad.status_code == 422 and '<a href="#first_day">' in bad.text
    added = coordinator.post(
        "/treffs/franztreff/schliesszeiten",
        data={"csrf_token": csrf, "first_day": "2027-07-19", "last_day": "2027-08-06", "reason": "Sommerpause"},
    )
    assert added.status_code == 200 and "Sommerpause" in added.text and "2027-07-19" in added.text
    removed = coordinator.post(
        "/treffs/franztreff/schliesszeiten", data={"csrf_token": csrf, "remove": "2027-07-19/2027-08-06"}
    )
    assert removed.status_code == 200 and "2027-07-19" not in removed.text


def test_a_carrier_sees_its_own_counselling_hours_and_no_one_elses(as_person, kit, drop_in):
    caritas = as_person(kit.CARITAS).get(f"/beratungszeiten?woche={_week(drop_in)}")
    assert caritas.status_code == 200 and "Schuldnerberatung" in caritas.text and "Mittagstisch" not in caritas.text
    diakonie = as_person(kit.DIAKONIE).get(f"/beratungszeiten?woche={_week(drop_in)}")
    assert "Schuldnerberatung" not in diakonie.text and "In dieser Woche keine Termine." in diakonie.text


def test_a_carrier_asks_for_a_room_the_coordinator_approves_and_the_carrier_sees_it(as_person, kit, drop_in):
    caritas = as_person(kit.CARITAS)
    page = caritas.get("/raumanfragen")
    assert page.status_code == 200 and 'value="franztreff/beratung-traeger"' in page.text
    day = (drop_in.today() + timedelta(days=22)).isoformat()  # a Thursday, weeks ahead
    asked = {"csrf_token": kit.csrf_of(page.text), "room": "franztreff/beratung-traeger", "day": day}
    missing = caritas.post("/raumanfragen", data=asked | {"starts": "14:00", "ends": "15:00", "title": ""})
    assert missing.status_code == 422 and '<a href="#title">Geben Sie einen Titel an.' in missing.text
    # scheduling's sentence next to its field: the end before the start
    backwards = caritas.post(
        "/raumanfragen", data=asked | {"starts": "15:00", "ends": "14:00", "title": "Sprechstunde"}
    )
    assert backwards.status_code == 422 and 'aria-invalid="true"' in backwards.text
    assert re.findall(r'<li><a href="#(\w+)">', backwards.text) == ["ends"], backwards.text
    sent = caritas.post("/raumanfragen", data=asked | {"starts": "14:00", "ends": "15:00", "title": "Sprechstunde"})
    assert sent.status_code == 200 and "Die Raumanfrage ist gestellt." in sent.text
    assert "wartet auf Entscheidung" in sent.text and "Zurückziehen" in sent.text
    found = re.search(r'data-request-id="([^"]+)"', sent.text)
    assert found
    assert found.group(1) not in as_person(kit.DIAKONIE).get("/raumanfragen").text  # another carrier's

    coordinator = as_person(kit.COORDINATOR)
    queue = coordinator.get("/treffs/franztreff/raumanfragen")
    assert queue.status_code == 200 and found.group(1) in queue.text and "Sprechstunde" in queue.text
    approve = f"/treffs/franztreff/raumanfragen/{found.group(1)}/genehmigen"
    approved = coordinator.post(approve, data={"csrf_token": kit.csrf_of(queue.text)})
    assert approved.status_code == 200 and "Die Raumanfrage ist genehmigt." in approved.text
    assert found.group(1) not in approved.text  # no longer pending

    mine = caritas.get("/raumanfragen").text
    row = mine.split(f'data-request-id="{found.group(1)}"', 1)[1].split("</tr>", 1)[0]
    assert "genehmigt" in row and "Zurückziehen" not in row


def test_a_declined_request_shows_its_reason_and_a_pending_one_can_be_withdrawn(as_person, kit, drop_in):
    caritas = as_person(kit.CARITAS)
    csrf = kit.csrf_of(caritas.get("/raumanfragen").text)
    ids = []
    for weeks in (9, 13):  # separate months: the monthly quota is not the point here
        day = (drop_in.today() + timedelta(weeks=weeks, days=1)).isoformat()
        sent = caritas.post("/raumanfragen", data={"csrf_token": csrf, "room": "franztreff/beratung-traeger",
                                                   "day": day, "starts": "14:00", "ends": "15:00",
                                                   "title": f"Gruppe {weeks}"})  # fmt: skip
        assert sent.status_code == 200, sent.text
        rows = sent.text.split('data-request-id="')[1:]
        ids.append(next(r.split('"', 1)[0] for r in rows if f"<td>Gruppe {weeks}</td>" in r.split("</tr>", 1)[0]))
    declined, withdrawn = ids

    coordinator = as_person(kit.COORDINATOR)
    queue = coordinator.get("/treffs/franztreff/raumanfragen")
    reject = f"/treffs/franztreff/raumanfragen/{declined}/ablehnen"
    missing = coordinator.post(reject, data={"csrf_token": kit.csrf_of(queue.text), "reject_reason": ""})
    assert missing.status_code == 422 and f'<a href="#reject_reason-{declined}">Wählen Sie einen Grund.' in missing.text
    done = coordinator.post(
        reject, data={"csrf_token": kit.csrf_of(queue.text), "reject_reason": "quota", "reject_note": "Bitte Mai"}
    )
    assert done.status_code == 200 and "Die Raumanfrage ist abgelehnt." in done.text

    gone = caritas.post(f"/raumanfragen/{withdrawn}/zurueckziehen", data={"csrf_token": csrf})
    assert gone.status_code == 200 and "Die Raumanfrage ist zurückgezogen." in gone.text
    rows = {i: gone.text.split(f'data-request-id="{i}"', 1)[1].split("</tr>", 1)[0] for i in ids}
    assert "abgelehnt (Kontingent ausgeschöpft): Bitte Mai" in rows[declined]
    assert "zurückgezogen" in rows[withdrawn] and "Zurückziehen" not in rows[withdrawn]


def test_a_committee_member_reads_the_protected_table_with_its_legend(as_person, kit, drop_in):
    member = as_person(kit.COMMITTEE)
    start = member.get("/start")
    assert start.url.path == "/kennzahlen" and "Kennzahlen für den Ausschuss" in start.text
    metric = re.search(r'<option value="([^"]+)"', start.text.split('id="kennzahl"', 1)[1])
    assert metric
    table = member.get("/kennzahlen", params={"kennzahl": metric.group(1), "jahr": "2027", "zeit": "quartal"})
    assert table.status_code == 200 and "Zeichenerklärung" in table.text
    assert "„.“ = Zahlenwert geheim zu halten" in table.text
    # beside the protected tables, reporting's public figures of the year: links that answer without a login
    links = re.findall(r'href="([^"]+)"', table.text.split("data-public-figures", 1)[1].split("</ul>", 1)[0])
    assert f"{drop_in.reporting_url}/figures/unmet_need?year=2027&amp;format=csv&amp;lang=de" in links
    for link in links:
        answer = httpx.get(link.replace("&amp;", "&"), timeout=120)
        assert answer.status_code == 200, f"{link}: {answer.status_code} {answer.text[:200]}"
    unknown = member.get("/kennzahlen", params={"kennzahl": "no.such.figure"})
    assert unknown.status_code == 422 and '<a href="#kennzahl">Wählen Sie eine Kennzahl.' in unknown.text
