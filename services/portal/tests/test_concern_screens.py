"""Team staff record a concern in the form, see it with its quarter and referrals, and find it in
the morning queue; a double submit records once; intake's refusals come back as German sentences
next to the fields, in the GOV.UK error summary."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration


def concern_id(answer) -> str:
    assert answer.url.path.startswith("/anliegen/"), answer.text
    return answer.url.path.rsplit("/", 1)[1]


def test_a_recorded_concern_shows_its_quarter_and_referral_and_is_in_the_queue(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    page = kit.record_concern(staff, topics=["schulden", "einsamkeit"], urgency="immediate")
    assert "Das Anliegen ist erfasst." in page.text
    assert "Innerstädtischer Bereich Süd (Am Leipziger Tor)" in page.text
    assert "caritas-dessau" in page.text and 'data-referral-status="requested"' in page.text
    assert "Schulden, Einsamkeit" in page.text and "sofort" in page.text

    queue = staff.get("/warteschlange", params={"art": "concern"})
    assert f'href="/anliegen/{concern_id(page)}"' in queue.text
    assert "Anliegen: Schulden, Einsamkeit" in queue.text


def test_a_double_submit_records_the_concern_once(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    form = staff.get("/anliegen/neu")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text).group(1)
    data = {
        "csrf_token": kit.csrf_of(form.text),
        "idempotency_key": key,
        "street": "Franzstr.",
        "house_number": "147",
        "topics": ["sucht"],
        "urgency": "plannable",
        "channel": "walk_in",
    }
    before = staff.get("/warteschlange", params={"thema": "sucht", "art": "concern"})
    first, second = staff.post("/anliegen", data=data), staff.post("/anliegen", data=data)
    assert concern_id(first) == concern_id(second)
    after = staff.get("/warteschlange", params={"thema": "sucht", "art": "concern"})
    counted = [int(re.search(r"(\d+) Einträge", p.text).group(1)) for p in (before, after)]
    assert counted[1] == counted[0] + 1


def test_every_new_form_gets_a_new_idempotency_key(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    keys = {
        re.search(r'name="idempotency_key" value="([^"]+)"', staff.get("/anliegen/neu").text).group(1) for _ in range(2)
    }
    assert len(keys) == 2


def test_missing_choices_are_summarised_at_the_top_and_linked_to_their_fields(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    page = kit.record_concern(staff, street="", topics=[], urgency="", channel="")
    assert page.status_code == 422
    assert page.text.count('class="field-error"') == 4
    summary = re.search(r'<div class="error-summary".*?</div>', page.text, re.S).group(0)
    for field, sentence in [
        ("street", "Geben Sie die Straße ein."),
        ("topics", "Wählen Sie mindestens ein Thema."),
        ("urgency", "Wählen Sie die Dringlichkeit."),
        ("channel", "Wählen Sie den Zugangsweg."),
    ]:
        assert f'<a href="#{field}">{sentence}</a>' in summary
        assert f'id="{field}"' in page.text
    assert "<title>Fehler: Neues Anliegen" in page.text


def test_weekly_neighbourly_help_is_asked_for_in_the_form_and_shown_with_its_slot(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    weekly = {"topics": ["nachbarschaftshilfe"], "slot_weekday": "tu", "slot_starts": "10:00"}
    page = kit.record_concern(staff, **weekly, slot_ends="11:30")
    assert "Das Anliegen ist erfasst." in page.text, page.text
    assert "(jeden Dienstag, 10:00–11:30 Uhr)" in page.text

    backwards = kit.record_concern(staff, **weekly, slot_ends="09:00")
    assert backwards.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', backwards.text, re.S).group(0)
    assert '<a href="#slot_ends">' in summary and "muss nach dem Beginn" in summary  # intake's sentence
    half = kit.record_concern(staff, **weekly)
    assert half.status_code == 422
    assert '<a href="#slot_ends">Geben Sie an, wann die wöchentliche Hilfe endet.</a>' in half.text
    assert 'value="10:00"' in half.text, "what was typed stays in the form"


def test_an_unknown_street_gets_intakes_sentence_next_to_the_street_with_the_closest_streets(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    page = kit.record_concern(staff, street="Franzstrase", house_number="147")
    assert page.status_code == 422
    assert '<a href="#street">' in page.text and "Straßenverzeichnis" in page.text
    assert "Meinten Sie:" in page.text and "Franzstraße" in page.text
    assert 'aria-invalid="true"' in page.text
    assert "Traceback" not in page.text and '"type":' not in page.text


def test_intakes_sentences_come_in_english_when_the_person_reads_english(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    staff.get("/sprache", params={"lang": "en"})
    page = kit.record_concern(staff, street="Franzstrase")
    assert "There is a problem" in page.text and "street directory" in page.text


def test_the_address_shows_its_quarter_and_the_street_is_suggested(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    quarter = staff.get("/adressen/quartier", params={"street": "Franzstr.", "house_number": "147"})
    assert "Innerstädtischer Bereich Süd" in quarter.text
    streets = staff.get("/adressen/vorschlaege", params={"street": "Franz"})
    assert '<option value="Franzstraße">' in streets.text


def test_the_queue_filters_by_kind_and_pages(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    kit.record_concern(staff, topics=["schulden"])
    referrals = staff.get("/warteschlange", params={"art": "referral"})
    assert "Vermittlung an" in referrals.text and "Anliegen: " not in referrals.text
    first = staff.get("/warteschlange")
    total = int(re.search(r"(\d+) Einträge", first.text).group(1))
    if total <= 20:
        for _ in range(21 - total):
            kit.record_concern(staff, topics=["wohnen"])
        first = staff.get("/warteschlange")
    assert 'rel="next"' in first.text and "Seite 1 von" in first.text
    second = staff.get("/warteschlange", params={"seite": 2})
    assert "Seite 2 von" in second.text and 'rel="prev"' in second.text


def test_another_teams_concern_is_refused_with_a_german_page(signed_in, kit):
    page = kit.record_concern(signed_in(kit.STAFF_INNENSTADT))
    other = signed_in(kit.STAFF_NORD).get(page.url.path)
    assert other.status_code == 403 and "Kein Zugriff" in other.text


def test_a_signal_on_the_concern_and_its_follow_up_show_on_the_concern(signed_in, kit, intake, tokens):
    import httpx

    staff = signed_in(kit.STAFF_INNENSTADT)
    page = kit.record_concern(staff, topics=["einsamkeit"])
    raised = httpx.post(
        f"{intake.url}/signals",
        json={"signal_type": "loneliness", "concern_id": concern_id(page)},
        headers=tokens.headers("team_staff", team="team-innenstadt"),
    )
    assert raised.status_code == 201, raised.text
    again = staff.get(page.url.path)
    section = again.text.split("<h2>Signale und Nachfassen</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Vereinsamung" in section and "Das Team fasst nach (fällig" in section
