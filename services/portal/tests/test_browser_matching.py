"""The neighbourly-help screens in a real headless Chromium (the system's), in front of real
intake and matching processes: a volunteer on a phone accepts a proposal and then sees the
address; a coordinator's pages; the public self-registration form. axe-core (WCAG 2.1 A and AA)
finds nothing on any of them. Screenshots go to QN_PORTAL_SCREENSHOTS (default: a temporary
directory) for docs/portal.md.

Without Chromium at /usr/bin/chromium these tests skip and say so (`apt-get install chromium`)."""

from __future__ import annotations

import os
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
def portal_url(neighbourly, tokens, tmp_path_factory) -> Iterator[str]:
    """`python -m qn_portal serve` as a real process in front of intake and matching."""
    demo_city = Path(__file__).resolve().parents[3] / "deploy" / "demo-city"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QN_")}
    env |= {
        "QN_PORTAL_PORT": str(port),
        "QN_PORTAL_PUBLIC_URL": url,
        "QN_PORTAL_INTAKE_URL": neighbourly.url("intake"),
        "QN_PORTAL_MATCHING_URL": neighbourly.url("matching"),
        "QN_PORTAL_LOCAL_KEY_DIR": str(tokens.key_dir),
        "QN_PORTAL_LOCAL_CITY_DIR": str(demo_city),
        "QN_PORTAL_CITY_DIR": str(demo_city),
        "QN_PORTAL_SESSION_SECRET": "browser-test-secret",
        "QN_PORTAL_LOG_JSON": "true",
    }
    log_path = tmp_path_factory.mktemp("portal-matching") / "portal.log"
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


def open_tab(browser: Any, portal_url: str, *, phone: bool = False) -> Any:
    size = {"width": 375, "height": 740} if phone else {"width": 1100, "height": 900}
    context = browser.new_context(base_url=portal_url, locale="de-DE", viewport=size, is_mobile=phone, has_touch=phone)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    return tab


def accessible(page: Any, what: str) -> None:
    problems = accessibility_problems(page)
    assert not problems, f"axe-core on {what}:\n" + "\n".join(problems)


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def sign_in(page: Any, user_id: str) -> None:
    page.goto("/anmelden")
    page.locator(f'button[data-user="{user_id}"]').click()
    page.wait_for_load_state()


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Presses Tab until the element is focused, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_a_volunteer_on_a_phone_accepts_a_proposal_and_then_sees_the_address(
    browser, portal_url, shots, kit, neighbourly
):
    proposal = kit.ask_for_help(neighbourly)
    phone = open_tab(browser, portal_url, phone=True)
    try:
        sign_in(phone, kit.VOLUNTEER)
        assert phone.locator("h1").inner_text() == "Meine Einsätze"
        accessible(phone, "my tasks on a phone")
        shot(phone, shots, "40-meine-einsaetze-telefon")
        phone.locator(f'a[href="/einsaetze/{proposal["id"]}"]').click()
        accessible(phone, "a proposal on a phone")
        assert "Irmgard" not in phone.locator("main").inner_text()
        shot(phone, shots, "41-anfrage-telefon")

        tab_to(phone, "button.button:not(.button-warning)")  # "Zusagen", by keyboard alone
        phone.keyboard.press("Enter")
        sync_api.expect(phone.get_by_role("status")).to_contain_text("Sie haben zugesagt")
        address = phone.locator("[data-contact]")
        for _ in range(50):  # intake learns of the acceptance from matching's event a moment later
            if address.count():
                break
            time.sleep(0.2)
            phone.reload()
        sync_api.expect(address).to_contain_text("Franzstraße 147")
        sync_api.expect(address).to_contain_text("Irmgard")

        phone.get_by_label("Stunden", exact=True).fill("1,5")
        phone.get_by_role("button", name="Stunden eintragen").click()
        sync_api.expect(phone.get_by_role("status")).to_contain_text("Die Stunden sind eingetragen.")
        sync_api.expect(phone.locator("main table")).to_contain_text("wartet auf Freigabe")
        accessible(phone, "an accepted task with the address and hours on a phone")
        shot(phone, shots, "42-einsatz-mit-adresse-telefon")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways"
    finally:
        phone.context.close()


def test_the_coordinators_pages_and_the_public_form_pass_axe(browser, portal_url, shots, kit, neighbourly):
    kit.ask_for_help(neighbourly)
    page = open_tab(browser, portal_url)
    try:
        page.goto("/mitmachen")
        accessible(page, "the public volunteer form")
        page.get_by_role("button", name="Absenden").click()
        summary = page.locator(".error-summary")
        sync_api.expect(summary).to_be_focused()
        sync_api.expect(summary).to_contain_text("Wählen Sie mindestens eine Hilfe.")
        accessible(page, "the public volunteer form with errors")
        summary.get_by_role("link", name="Wählen Sie Ihren Stadtteil.").click()
        sync_api.expect(page.locator("#quarter_id")).to_be_focused()
        page.get_by_label("Wie dürfen wir Sie nennen?").fill("Walter B.")
        page.get_by_label("Telefon oder E-Mail").fill("0340 661122")
        page.get_by_label("Ihr Stadtteil").select_option("innenstadt-sued")
        page.get_by_label("Einkaufen").check()
        page.get_by_label("Spazierengehen").check()
        shot(page, shots, "43-mitmachen")
        page.get_by_role("button", name="Absenden").click()
        sync_api.expect(page.locator("[data-reference]")).to_contain_text("QN-")
        accessible(page, "the thank-you page with the reference")

        sign_in(page, kit.COORDINATOR)
        page.get_by_role("link", name="Ehrenamtliche").click()
        sync_api.expect(page.locator("main")).to_contain_text("Walter B.")
        accessible(page, "the applications")
        shot(page, shots, "44-bewerbungen")
        page.get_by_role("link", name="Walter B.").click()
        accessible(page, "a volunteer's record")
        shot(page, shots, "45-ehrenamtliche")
        page.get_by_role("button", name="Status speichern").click()
        sync_api.expect(page.locator(".error-summary")).to_be_focused()
        accessible(page, "a volunteer's record with an error")
        for link, what, name in (
            ("Offene Anfragen", "the unmatched requests", ""),
            ("Vorschläge", "the proposals", "46-vorschlaege"),
            ("Stunden", "the hours to approve", "47-stunden-freigeben"),
        ):
            page.get_by_role("link", name=link, exact=True).click()
            accessible(page, what)
            if name:
                shot(page, shots, name)
        page.goto("/vorschlaege")
        page.locator('a[href^="/einsaetze/"]').first.click()
        sync_api.expect(page.locator("main")).to_contain_text("Sie handeln für")
        accessible(page, "a proposal answered for a volunteer (proxy)")
    finally:
        page.context.close()


def test_a_coordinator_assigns_a_request_by_hand_and_the_pages_pass_axe(browser, portal_url, shots, kit, neighbourly):
    proposal = kit.ask_for_help(neighbourly)  # Renate is asked; the coordinator gives it to Dmitri instead
    page = open_tab(browser, portal_url)
    try:
        sign_in(page, kit.COORDINATOR)
        page.get_by_role("link", name="Vorschläge", exact=True).click()
        page.locator(f'a[href="/anfragen/{proposal["help_request_id"]}"]').click()
        sync_api.expect(page.locator("h1")).to_contain_text("Anfrage: Besuch und Gesellschaft")
        sync_api.expect(page.locator("main")).to_contain_text("bietet „Gesellschaft leisten“ an")
        accessible(page, "a help request with its candidates")
        shot(page, shots, "48-anfrage-vergeben")

        page.get_by_label("Dmitri S.").check()
        page.get_by_role("button", name="Mehreren anbieten").click()
        summary = page.locator(".error-summary")
        sync_api.expect(summary).to_be_focused()
        sync_api.expect(summary).to_contain_text("mindestens zwei Personen")
        accessible(page, "an offer to one person, refused")

        page.get_by_role("button", name="Von Hand zuteilen").click()  # Dmitri is still ticked
        sync_api.expect(summary).to_be_focused()
        sync_api.expect(summary).to_contain_text("wohnt außerhalb der angegebenen Reichweite")
        accessible(page, "an assignment that needs an override")
        summary.get_by_role("link").first.click()
        sync_api.expect(page.locator("#overrides")).to_be_focused()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Von Hand zuteilen").click()
        sync_api.expect(page.get_by_role("status")).to_contain_text("Zugeteilt.")
        sync_api.expect(page.locator("main")).to_contain_text("Sie handeln für Dmitri S.")
        accessible(page, "the task assigned by hand")
    finally:
        page.context.close()
