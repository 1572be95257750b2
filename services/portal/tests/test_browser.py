"""The portal in a real headless Chromium (the system's, never a downloaded one), walked as its
users walk it: sign in, record a concern, find it in the queue, the carrier accepts, the team
sees the loop closed -- every page checked with axe-core against WCAG 2.1 A and AA, the form also
by keyboard alone. Screenshots of the pages go to QN_PORTAL_SCREENSHOTS (default: the test's
temporary directory) for people to look at.

Without Chromium at /usr/bin/chromium these tests skip and say so (`apt-get install chromium`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qn_infra.embedded_broker import free_port
from qn_testkit.browser import CHROMIUM, NO_CHROMIUM, accessibility_problems

pytestmark = pytest.mark.e2e

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")


@pytest.fixture(scope="module")
def portal_url(intake, tokens, kit_module, tmp_path_factory) -> Iterator[str]:
    """`python -m qn_portal serve` as a real process in front of the session's intake."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QN_")}
    env |= {
        "QN_PORTAL_PORT": str(port),
        "QN_PORTAL_PUBLIC_URL": url,
        "QN_PORTAL_INTAKE_URL": intake.url,
        "QN_PORTAL_LOCAL_KEY_DIR": str(tokens.key_dir),
        "QN_PORTAL_LOCAL_CITY_DIR": str(kit_module.DEMO_CITY),
        "QN_PORTAL_SESSION_SECRET": "browser-test-secret",
        "QN_PORTAL_LOG_JSON": "true",
    }
    log_path = tmp_path_factory.mktemp("portal") / "portal.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "qn_portal", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the portal did not start:\n" + log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def kit_module():
    from qn_portal.config import PortalSettings  # noqa: F401 -- the package is importable

    class Paths:
        DEMO_CITY = Path(__file__).resolve().parents[3] / "deploy" / "demo-city"

    return Paths


@pytest.fixture
def page(browser, portal_url) -> Iterator[Any]:
    context = browser.new_context(base_url=portal_url, locale="de-DE", viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def accessible(page: Any, what: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules find nothing on the page as it is now."""
    problems = accessibility_problems(page)
    assert not problems, f"axe-core on {what}:\n" + "\n".join(problems)


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def sign_in(page: Any, user_id: str) -> None:
    page.goto("/anmelden")
    page.locator(f'button[data-user="{user_id}"]').click()
    page.wait_for_load_state()


def queue_total(page: Any) -> int:
    page.goto("/warteschlange?art=concern")
    return int(re.search(r"(\d+) Einträge", page.locator("main").inner_text()).group(1))


def test_staff_record_a_concern_the_carrier_accepts_and_staff_see_it_accepted(page, shots):
    page.goto("/")
    assert page.url.endswith("/anmelden")
    accessible(page, "the sign-in page")
    shot(page, shots, "01-anmelden")

    sign_in(page, "demo-staff-team-innenstadt")
    assert page.locator("h1").inner_text() == "Arbeitsliste"
    accessible(page, "the work queue")
    before = queue_total(page)

    page.get_by_role("link", name="Neues Anliegen").click()
    accessible(page, "the empty concern form")
    page.get_by_label("Straße").fill("Franzstr.")
    page.get_by_label("Hausnummer").fill("147")
    page.get_by_label("Hausnummer").blur()
    sync_api.expect(page.locator("#quartier")).to_contain_text("Innerstädtischer Bereich Süd")
    page.get_by_label("Schulden").check()
    page.get_by_label("zeitnah").check()
    page.get_by_label("Zugangsweg").select_option("phone")
    accessible(page, "the filled concern form")
    shot(page, shots, "03-neues-anliegen")
    page.get_by_role("button", name="Anliegen erfassen").dblclick()
    sync_api.expect(page.get_by_role("status")).to_contain_text("Das Anliegen ist erfasst.")
    concern_url = page.url
    referral = page.locator("[data-referral-id]").first.get_attribute("data-referral-id")
    accessible(page, "a concern")
    shot(page, shots, "04-anliegen")

    assert queue_total(page) == before + 1, "the double click recorded the concern twice"
    page.goto("/warteschlange")
    sync_api.expect(
        page.locator(f'a[href="/anliegen/{concern_url.rsplit("/", 1)[1].split("?")[0]}"]').first
    ).to_be_visible()
    shot(page, shots, "02-arbeitsliste")

    page.get_by_role("button", name="Abmelden").click()
    sign_in(page, "demo-carrier-caritas-dessau")
    assert page.locator("h1").inner_text() == "Vermittlungen an Ihren Träger"
    accessible(page, "the carrier's inbox")
    shot(page, shots, "05-vermittlungen")
    page.locator(f'a[href="/vermittlungen/{referral}"]').click()
    accessible(page, "a referral for the carrier")
    shot(page, shots, "06-vermittlung")
    page.get_by_role("button", name="Annehmen").click()
    sync_api.expect(page.get_by_role("status")).to_contain_text("Ihre Antwort ist gespeichert.")

    page.get_by_role("button", name="Abmelden").click()
    sign_in(page, "demo-staff-team-innenstadt")
    page.goto(concern_url.split("?")[0])
    sync_api.expect(page.locator(f'[data-referral-id="{referral}"]')).to_contain_text("angenommen")


def test_a_refused_form_summarises_its_errors_and_takes_the_focus_there(page, shots):
    sign_in(page, "demo-staff-team-innenstadt")
    page.goto("/anliegen/neu")
    page.get_by_role("button", name="Anliegen erfassen").click()
    summary = page.locator(".error-summary")
    sync_api.expect(summary).to_be_focused()
    sync_api.expect(summary).to_contain_text("Wählen Sie mindestens ein Thema.")
    assert page.title().startswith("Fehler: ")
    accessible(page, "the concern form with errors")
    shot(page, shots, "07-fehler")
    summary.get_by_role("link", name="Wählen Sie den Zugangsweg.").click()
    sync_api.expect(page.locator("#channel")).to_be_focused()


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Presses Tab until the element is focused, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_keyboard_only_sign_in_and_record_a_concern_with_a_visible_focus(page, shots):
    page.goto("/anmelden")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    tab_to(page, 'button[data-user="demo-staff-team-innenstadt"]')
    focus = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert focus == "rgb(255, 221, 0)", "the focused button does not show the focus colour"
    page.keyboard.press("Enter")
    page.wait_for_url("**/warteschlange")

    tab_to(page, 'a[href="/anliegen/neu"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/anliegen/neu")
    tab_to(page, "#street")
    page.keyboard.type("Franzstr.")
    tab_to(page, "#house_number")
    page.keyboard.type("147")
    tab_to(page, "#topic-einsamkeit")
    page.keyboard.press("Space")
    tab_to(page, "#urgency")  # into the radio group; the arrow keys choose within it
    page.keyboard.press("ArrowDown")
    tab_to(page, "#channel")
    page.keyboard.press("ArrowDown")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    sync_api.expect(page.get_by_role("status")).to_contain_text("Das Anliegen ist erfasst.")
    assert "Einsamkeit" in page.locator("h1").inner_text()
    assert "zeitnah" in page.locator("main").inner_text()


def test_the_english_pages_pass_axe_too(page, shots):
    sign_in(page, "demo-staff-team-innenstadt")
    page.get_by_role("link", name="Switch to English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Work queue"
    accessible(page, "the English work queue")
    page.goto("/anliegen/neu")
    accessible(page, "the English concern form")
    shot(page, shots, "08-new-concern-en")


def test_a_kuemmerer_reports_an_observation_from_a_phone(browser, portal_url, shots):
    context = browser.new_context(
        base_url=portal_url, locale="de-DE", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        sign_in(phone, "demo-kuemmerer-team-innenstadt")
        assert phone.locator("h1").inner_text() == "Meine Beobachtungen"
        phone.get_by_role("link", name="Beobachtung melden").first.click()
        accessible(phone, "the observation form on a phone")
        phone.get_by_label("Vereinsamung").check()
        phone.get_by_label("Straße").fill("Franzstr.")
        phone.get_by_label("Hausnummer").fill("147")
        shot(phone, shots, "09-beobachtung-melden-telefon")
        phone.get_by_role("button", name="Beobachtung melden").click()
        sync_api.expect(phone.get_by_role("status")).to_contain_text("Ihre Beobachtung ist gemeldet")
        sync_api.expect(phone.locator(".card").first).to_contain_text("Das Team fasst nach")
        accessible(phone, "the Kümmerer's observations on a phone")
        shot(phone, shots, "10-meine-beobachtungen-telefon")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, "the page scrolls sideways on a phone"
    finally:
        context.close()


def test_the_person_pages_and_the_coordinators_pages_pass_axe(page, shots):
    sign_in(page, "demo-staff-team-innenstadt")
    page.get_by_role("link", name="Personen").click()
    accessible(page, "the person search")
    page.get_by_label("Nachname").last.fill("Browsertest")
    page.get_by_label("Vorname").fill("Bea")
    page.get_by_label("Geburtsjahr").last.fill("1950")
    page.get_by_role("button", name="Neue Person anlegen").click()
    sync_api.expect(page.locator("[data-person-chosen]")).to_contain_text("Bea Browsertest")
    accessible(page, "the concern form for a known person, with consent")
    shot(page, shots, "11-anliegen-mit-person")
    person_id = page.locator('input[name="person_id"]').get_attribute("value")

    page.get_by_role("button", name="Abmelden").click()
    sign_in(page, "demo-coordinator")
    page.goto(f"/protokoll?person={person_id}")
    sync_api.expect(page.locator(f'[data-audit-subject="{person_id}"]').first).to_be_visible()
    accessible(page, "the audit log")
    shot(page, shots, "12-protokoll")
    page.goto(f"/personen/{person_id}/loeschen")
    accessible(page, "the erasure confirmation")
    page.get_by_role("button", name="Ja, die Daten dieser Person löschen").click()
    sync_api.expect(page.get_by_role("status")).to_contain_text("gelöscht")
