"""The neighbourly-help screens against real intake and matching processes: a volunteer answers a
proposal and then reads the address (from intake, with their own token), logs hours in quarter
hours; a coordinator reviews an application from the public form, records the police certificate,
approves hours and answers for a volunteer without a smartphone. Errors come back as the
services' German sentences next to the fields they name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from qn_portal.screens.matching_lookups import hours_text
from qn_portal.screens.matching_volunteers import availability_of

from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def as_person(portal, kit, neighbourly, tokens):
    settings = kit.neighbourly_settings(neighbourly, tokens)
    return lambda user_id=None: kit.sign_in(portal(settings), user_id) if user_id else portal(settings)


def summary_links(html: str) -> list[str]:
    """The fields the error summary at the top links to."""
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0] if "error-summary" in html else ""
    return re.findall(r'href="#([^"]+)"', summary)


def form(client: Any, kit: Any, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": kit.csrf_of(client.get("/anmelden").text), **data})


def test_hours_are_read_as_people_type_them() -> None:
    assert [hours_text(t) for t in ("1,5", "0,75", " 2 ", "1.25", "zwei")] == ["1.5", "0.75", "2", "1.25", "zwei"]


def test_empty_availability_rows_are_no_windows_and_errors_point_at_the_typed_row() -> None:
    raw = {"weekday_0": "", "starts_0": "", "ends_0": "", "weekday_1": "mo", "starts_1": "10:00", "ends_1": "09:00"}
    slots, fields, rows = availability_of(raw)
    assert slots == [{"weekday": "mo", "starts": "10:00", "ends": "09:00"}]
    assert fields["availability.0.ends"] == "ends_1" and len(rows) == 2


def test_a_volunteer_accepts_sees_the_address_and_logs_hours_a_coordinator_approves(as_person, kit, neighbourly):
    proposal = kit.ask_for_help(neighbourly)
    renate = as_person(kit.VOLUNTEER)
    mine = renate.get("/meine-einsaetze")
    assert mine.status_code == 200 and f"/einsaetze/{proposal['id']}" in mine.text
    made = form(renate, kit, "/meine-einsaetze/kalender")  # the calendar link: shown once, then revoked
    assert made.status_code == 201 and re.search(r'value="[^"]*/calendar-feeds/[^"]+\.ics"', made.text)
    assert "/calendar-feeds/" not in renate.get("/meine-einsaetze").text
    revoked = form(renate, kit, "/meine-einsaetze/kalender/widerrufen")
    assert revoked.status_code == 200 and "Der Kalender-Link ist widerrufen." in revoked.text
    before = renate.get(f"/einsaetze/{proposal['id']}")
    assert "Besuch und Gesellschaft" in before.text
    for secret in (kit.HELPED["given_name"], kit.HELPED["family_name"], kit.HELPED["phone"], "Franzstraße"):
        assert secret not in before.text  # before accepting: kind, quarter, time -- nothing of the person

    accepted = form(renate, kit, f"/einsaetze/{proposal['id']}/annehmen")
    assert accepted.status_code == 200 and "Sie haben zugesagt" in accepted.text
    page = eventually(
        lambda: (p := renate.get(f"/einsaetze/{proposal['id']}")).status_code == 200 and "Irmgard" in p.text and p,
        what="the address on the task page once intake learnt of the acceptance",
    )
    assert "Franzstraße 147" in page.text and kit.HELPED["family_name"] not in page.text

    wrong = form(renate, kit, f"/einsaetze/{proposal['id']}/stunden", hours="1,3")
    assert wrong.status_code == 422 and summary_links(wrong.text) == ["hours"]
    assert 'id="hours-error"' in wrong.text and 'value="1,3"' in wrong.text
    logged = form(renate, kit, f"/einsaetze/{proposal['id']}/stunden", hours="1,5", worked_on="2026-12-01")
    assert logged.status_code == 200 and "wartet auf Freigabe" in logged.text

    carla = as_person(kit.COORDINATOR)
    queue = carla.get("/stunden")
    entry = re.search(r'data-entry-id="([^"]+)"[^>]*>\s*<h2 class="card-title">1,5 Stunden am 2026-12-01', queue.text)
    assert entry, queue.text
    refused = form(carla, kit, f"/stunden/{entry.group(1)}/zurueckgeben", reason="")
    assert refused.status_code == 422 and summary_links(refused.text) == [f"reason-{entry.group(1)}"]
    approved = form(carla, kit, f"/stunden/{entry.group(1)}/freigeben")
    assert approved.status_code == 200 and "Freigegeben." in approved.text
    assert entry.group(1) not in approved.text
    assert "freigegeben" in renate.get(f"/einsaetze/{proposal['id']}").text


def test_a_decline_needs_a_reason_and_then_the_request_waits_for_the_coordinator(as_person, kit, neighbourly):
    proposal = kit.ask_for_help(neighbourly)
    renate = as_person(kit.VOLUNTEER)
    missing = form(renate, kit, f"/einsaetze/{proposal['id']}/ablehnen", decline_reason="")
    assert missing.status_code == 422 and summary_links(missing.text) == ["decline_reason"]
    declined = form(renate, kit, f"/einsaetze/{proposal['id']}/ablehnen", decline_reason="away", decline_note="Urlaub")
    assert declined.status_code == 200 and "Abgesagt." in declined.text
    again = form(renate, kit, f"/einsaetze/{proposal['id']}/annehmen")
    assert again.status_code == 409 and summary_links(again.text) == ["status"]  # matching's sentence, at the status

    carla = as_person(kit.COORDINATOR)
    eventually(
        lambda: proposal["help_request_id"] in carla.get("/offene-anfragen").text,
        what="the request in the unmatched queue (nobody else fits)",
    )


def test_a_coordinator_answers_and_enters_a_paper_slip_for_a_volunteer_without_a_smartphone(
    as_person, kit, neighbourly
):
    proposal = kit.ask_for_help(neighbourly)
    carla = as_person(kit.COORDINATOR)
    listed = carla.get("/vorschlaege")
    assert f"/einsaetze/{proposal['id']}" in listed.text and "Renate K." in listed.text
    accepted = form(carla, kit, f"/einsaetze/{proposal['id']}/annehmen")
    assert accepted.status_code == 200 and "Sie handeln für Renate K." in accepted.text
    slip = form(carla, kit, f"/einsaetze/{proposal['id']}/stunden", hours="2", worked_on="2026-11-30", source="paper")
    assert slip.status_code == 200 and "Papierzettel" in slip.text and "freigegeben" in slip.text
    done = form(carla, kit, f"/einsaetze/{proposal['id']}/abschliessen")
    assert done.status_code == 200 and 'data-match-status="completed"' in done.text


def test_a_newcomer_applies_and_a_coordinator_approves_and_records_the_certificate(as_person, kit):
    newcomer = as_person()
    page = newcomer.get("/mitmachen")
    assert page.status_code == 200 and "Innerstädtischer Bereich Süd" in page.text
    token = kit.csrf_of(page.text)
    incomplete = newcomer.post("/mitmachen", data={"csrf_token": token, "display_name": "Greta W."})
    assert incomplete.status_code == 422
    assert summary_links(incomplete.text) == ["contact", "quarter_id", "skills"]
    bad_time = {"weekday_0": "mo", "starts_0": "12:00", "ends_0": "10:00"}
    sent = {"csrf_token": token, "display_name": "Greta W.", "contact": "0340 998877", "quarter_id": "ziebigk"}
    refused = newcomer.post("/mitmachen", data={**sent, "skills": ["walk", "reading"], **bad_time})
    assert refused.status_code == 422 and summary_links(refused.text) == ["ends_0"]  # matching's sentence
    applied = newcomer.post("/mitmachen", data={**sent, "skills": ["walk", "reading"], "languages": ["de", "pl"]})
    assert applied.status_code == 200
    reference = re.search(r"data-reference>([^<]+)<", applied.text).group(1)
    assert reference.startswith("QN-") and "0340 998877" not in applied.text  # nothing sent is repeated

    carla = as_person(kit.COORDINATOR)
    waiting = carla.get("/ehrenamtliche", params={"status": "prospective"})
    row = re.search(r'data-volunteer-id="([^"]+)">\s*<td><a [^>]+>Greta W\.</a>', waiting.text)
    assert row and reference in waiting.text
    volunteer = f"/ehrenamtliche/{row.group(1)}"
    no_choice = form(carla, kit, f"{volunteer}/status")
    assert no_choice.status_code == 422 and summary_links(no_choice.text) == ["status"]
    approved = form(carla, kit, f"{volunteer}/status", status="approved", account="greta.w")
    assert 'data-volunteer-status="approved"' in approved.text and "greta.w" in approved.text
    half = form(carla, kit, f"{volunteer}/fuehrungszeugnis", certificate_date="2026-11-02")
    assert half.status_code == 422 and summary_links(half.text) == ["no_relevant_entry"]
    seen = form(carla, kit, f"{volunteer}/fuehrungszeugnis", certificate_date="2026-11-02", no_relevant_entry="yes")
    assert "ausgestellt am 2026-11-02, erneut vorzulegen ab 2031-11-02" in seen.text
    due = carla.get("/ehrenamtliche", params={"pruefung_bis": "2031-11-02"})
    assert "Greta W." in due.text and "Greta W." not in carla.get("/ehrenamtliche?pruefung_bis=2031-11-01").text
    times = form(carla, kit, f"{volunteer}/verfuegbarkeit", weekday_0="fr", starts_0="09:00", ends_0="11:00",
                 weekday_1="", starts_1="", ends_1="")  # fmt: skip
    assert times.status_code == 200 and 'value="09:00"' in times.text


def row_of(html: str, volunteer_id: str) -> str:
    """The candidate list's row of one volunteer."""
    found = re.search(rf'<tr data-volunteer-id="{volunteer_id}".*?</tr>', html, re.S)
    assert found, f"no row for {volunteer_id}"
    return found.group(0)


def candidate_id(html: str, name: str) -> str:
    found = re.search(rf'<tr data-volunteer-id="([^"]+)"[^>]*>(?:(?!</tr>).)*?>{re.escape(name)}</label>', html, re.S)
    assert found, f"{name} is not among the candidates"
    return found.group(1)


def test_a_coordinator_assigns_an_unmatched_request_by_hand_once_matching_has_its_override(as_person, kit, neighbourly):
    proposal = kit.ask_for_help(neighbourly)
    renate = as_person(kit.VOLUNTEER)
    assert form(renate, kit, f"/einsaetze/{proposal['id']}/ablehnen", decline_reason="no_time").status_code == 200
    carla = as_person(kit.COORDINATOR)
    request_path = f"/anfragen/{proposal['help_request_id']}"
    eventually(lambda: f'href="{request_path}"' in carla.get("/offene-anfragen").text, what="the unmatched request")
    page = carla.get(request_path)
    assert page.status_code == 200 and 'data-request-status="unmatched"' in page.text
    assert "bietet „Gesellschaft leisten“ an" in page.text  # why matching asked Renate, in its words
    dmitri = candidate_id(page.text, "Dmitri S.")

    nobody = form(carla, kit, f"{request_path}/zuteilen")
    assert nobody.status_code == 422 and summary_links(nobody.text) == ["volunteers"]
    asked = form(carla, kit, f"{request_path}/zuteilen", volunteer_ids=proposal["volunteer_id"])
    assert asked.status_code == 422 and len(summary_links(asked.text)) == 1
    assert "wurde für diese Anfrage schon gefragt" in row_of(asked.text, proposal["volunteer_id"])
    far = form(carla, kit, f"{request_path}/zuteilen", volunteer_ids=dmitri)
    assert far.status_code == 422 and summary_links(far.text) == ["overrides"]
    assert "Dmitri S.: wohnt außerhalb der angegebenen Reichweite" in far.text
    assert re.search(rf'value="{dmitri}" id="[^"]+" checked', far.text)  # the choice is kept

    assigned = form(carla, kit, f"{request_path}/zuteilen", volunteer_ids=dmitri, overrides="out_of_reach")
    assert assigned.status_code == 200 and "Zugeteilt." in assigned.text
    assert "Sie handeln für Dmitri S." in assigned.text and 'data-match-status="accepted"' in assigned.text
    assert "von der Koordination von Hand zugeteilt, trotz" in assigned.text
    late = form(carla, kit, f"{request_path}/zuteilen", volunteer_ids=dmitri, overrides="out_of_reach")
    assert late.status_code == 409 and summary_links(late.text) == ["status"]
    assert 'data-request-status="matched"' in late.text and "Selbst vergeben" not in late.text


def test_a_request_offered_to_several_goes_to_whoever_accepts_first(as_person, kit, neighbourly):
    hanna = kit.register_volunteer(neighbourly, "Hanna L.", "hanna.l", "ziebigk")
    proposal = kit.ask_for_help(neighbourly)  # Renate is asked; the coordinator widens the circle
    carla = as_person(kit.COORDINATOR)
    request_path = f"/anfragen/{proposal['help_request_id']}"
    assert f'href="{request_path}"' in carla.get("/vorschlaege").text
    dmitri = candidate_id(carla.get(request_path).text, "Dmitri S.")

    one = form(carla, kit, f"{request_path}/anbieten", volunteer_ids=dmitri)
    assert one.status_code == 422 and summary_links(one.text) == ["volunteers"] and "mindestens zwei" in one.text
    far = form(carla, kit, f"{request_path}/anbieten", volunteer_ids=[dmitri, hanna])
    assert far.status_code == 422 and summary_links(far.text) == ["overrides"]
    offered = form(carla, kit, f"{request_path}/anbieten", volunteer_ids=[dmitri, hanna], overrides="out_of_reach")
    assert offered.status_code == 200 and "Angeboten." in offered.text
    assert re.findall(r'data-match-status="(\w+)"', offered.text) == ["withdrawn", "proposed", "proposed"]

    offer = re.search(r'data-match-id="([^"]+)" data-match-status="proposed">\s*<td><a [^>]+>Dmitri S\.', offered.text)
    dmitri_client = as_person(kit.OTHER_VOLUNTEER)
    assert offer and f"/einsaetze/{offer.group(1)}" in dmitri_client.get("/meine-einsaetze").text
    accepted = form(dmitri_client, kit, f"/einsaetze/{offer.group(1)}/annehmen")
    assert accepted.status_code == 200 and "Sie haben zugesagt" in accepted.text
    after = carla.get(request_path)
    assert 'data-request-status="matched"' in after.text
    assert sorted(re.findall(r'data-match-status="(\w+)"', after.text)) == ["accepted", "withdrawn", "withdrawn"]
