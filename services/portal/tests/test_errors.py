"""What a person sees when something goes wrong: a German page, never a stack trace or raw JSON."""

from __future__ import annotations

import pytest

from qn_infra.embedded_broker import free_port

pytestmark = pytest.mark.integration


def test_an_unreachable_intake_is_a_german_sentence_not_a_stack_trace(portal, portal_settings, kit):
    down = portal(portal_settings.model_copy(update={"intake_url": f"http://127.0.0.1:{free_port()}"}))
    page = down.get("/anmelden")  # signing in needs no intake
    down.post("/anmelden/lokal", data={"csrf_token": kit.csrf_of(page.text), "user_id": kit.STAFF_INNENSTADT})
    queue = down.get("/warteschlange")
    assert queue.status_code == 503 and "Der Dienst antwortet gerade nicht" in queue.text
    assert "Traceback" not in queue.text and "{" not in queue.text.split("<main", 1)[1]


def test_unknown_pages_and_malformed_ids_are_not_found_pages(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    for path in ("/gibt-es-nicht", "/anliegen/keine-id", "/anliegen/00000000-0000-4000-8000-000000000000"):
        page = staff.get(path)
        assert page.status_code == 404 and "Diese Seite gibt es nicht." in page.text, path


def test_a_filter_intake_refuses_is_explained_not_crashed(signed_in, kit):
    page = signed_in(kit.STAFF_INNENSTADT).get("/warteschlange", params={"thema": "NOT A TOPIC"})
    assert page.status_code == 422 and "Es gibt ein Problem" in page.text and "Traceback" not in page.text
