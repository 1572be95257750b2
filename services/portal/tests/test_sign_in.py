"""Signing in and out: the local development sign-in (only when its key is configured), the
session cookie's flags, CSRF on every form, the language switch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qn_infra.clock import FixedClock

pytestmark = pytest.mark.integration


def test_the_local_sign_in_lists_the_demo_users_with_role_team_and_carrier(portal, kit):
    page = portal().get("/anmelden")
    assert page.status_code == 200
    assert "Lokale Demo-Anmeldung" in page.text
    assert "Team-Fachkraft" in page.text and "Stadtteilteam Innenstadt" in page.text
    assert "Caritas Dessau – Schuldner- und Insolvenzberatung" in page.text
    assert 'lang="de"' in page.text


def test_staff_sign_in_and_land_on_their_work_queue_and_sign_out_again(portal, kit):
    client = kit.sign_in(portal(), kit.STAFF_INNENSTADT)
    queue = client.get("/warteschlange")
    assert queue.status_code == 200 and "<h1>Arbeitsliste</h1>" in queue.text
    assert "Angemeldet als Stadtteilteam Innenstadt" in queue.text

    out = client.post("/abmelden", data={"csrf_token": kit.csrf_of(queue.text)})
    assert "Sie sind abgemeldet." in out.text
    again = client.get("/warteschlange", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/anmelden?weiter=")


def test_a_page_opened_before_signing_in_is_shown_after_it(portal, kit):
    client = portal()
    first = client.get("/anliegen/neu", follow_redirects=False)
    assert first.headers["location"] == "/anmelden?weiter=/anliegen/neu"
    page = client.get(first.headers["location"])
    answer = client.post(
        "/anmelden/lokal",
        data={"csrf_token": kit.csrf_of(page.text), "user_id": kit.STAFF_INNENSTADT, "weiter": "/anliegen/neu"},
    )
    assert answer.url.path == "/anliegen/neu" and "<h1>Neues Anliegen</h1>" in answer.text


def test_sign_in_never_redirects_to_another_site(portal, kit):
    client = portal()
    page = client.get("/anmelden")
    answer = client.post(
        "/anmelden/lokal",
        data={"csrf_token": kit.csrf_of(page.text), "user_id": kit.STAFF_INNENSTADT, "weiter": "//evil.example/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/start"


def test_without_the_local_key_there_is_no_local_sign_in(portal, portal_settings, kit):
    client = portal(portal_settings.model_copy(update={"local_key_dir": None}))
    page = client.get("/anmelden")
    assert "Lokale Demo-Anmeldung" not in page.text and "demo-staff" not in page.text
    answer = client.post(
        "/anmelden/lokal", data={"csrf_token": kit.csrf_of(page.text), "user_id": kit.STAFF_INNENSTADT}
    )
    assert answer.status_code == 404
    assert client.get("/warteschlange", follow_redirects=False).status_code == 303


def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(portal, kit):
    client = portal()
    client.get("/anmelden")
    refused = client.post("/anmelden/lokal", data={"csrf_token": "forged", "user_id": kit.STAFF_INNENSTADT})
    assert refused.status_code == 403 and "Formular abgelaufen" in refused.text
    assert client.get("/warteschlange", follow_redirects=False).status_code == 303

    signed = kit.sign_in(portal(), kit.STAFF_INNENSTADT)
    out = signed.post("/abmelden", data={})
    assert out.status_code == 403
    assert signed.get("/warteschlange").status_code == 200  # still signed in


def test_the_session_cookie_is_http_only_same_site_and_secure_outside_localhost(portal, portal_settings, kit):
    client = portal()
    page = client.get("/anmelden")
    signed = client.post(
        "/anmelden/lokal",
        data={"csrf_token": kit.csrf_of(page.text), "user_id": kit.STAFF_INNENSTADT},
        follow_redirects=False,
    )
    cookie = signed.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()

    public = portal(portal_settings.model_copy(update={"public_url": "https://quartiersnetz.example"}))
    answer = public.get("/anmelden")
    assert "secure" in answer.headers["set-cookie"].lower()


def test_a_session_ends_with_its_token(portal, kit):
    client = kit.sign_in(portal(), kit.STAFF_INNENSTADT)
    cookies = dict(client.cookies)
    later = portal(clock=FixedClock(datetime(2100, 1, 1, tzinfo=UTC)))
    later.cookies.update(cookies)
    assert later.get("/warteschlange", follow_redirects=False).status_code == 303


def test_the_portal_speaks_english_when_asked(portal, kit):
    client = kit.sign_in(portal(), kit.STAFF_INNENSTADT)
    page = client.get("/sprache", params={"lang": "en", "weiter": "/warteschlange"})
    assert 'lang="en"' in page.text and "<h1>Work queue</h1>" in page.text
    back = client.get("/sprache", params={"lang": "de", "weiter": "/warteschlange"})
    assert "<h1>Arbeitsliste</h1>" in back.text


def test_a_page_for_another_role_answers_403_in_german(signed_in, kit):
    carrier = signed_in(kit.CARITAS)
    page = carrier.get("/warteschlange")
    assert page.status_code == 403 and "Kein Zugriff" in page.text
