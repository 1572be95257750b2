"""The drop-in centres' screens, the carriers' counselling hours and the committee's figures in a
real headless Chromium (the system's), with axe-core's WCAG 2.1 A/AA check on every page: the
coordinator's week and attendance journey, a series' collision preview, closures. One portal,
served over HTTP for the whole module, in front of the session's intake and the drop-in fixture's
scheduling and reporting -- on the test's reference day, which the portal's clock shares.
Screenshots go to QN_PORTAL_SCREENSHOTS (default: a temporary directory).

Without Chromium at /usr/bin/chromium these tests skip and say so (`apt-get install chromium`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from qn_portal.app import create_app
from qn_portal.config import PortalSettings

from qn_testkit.browser import CHROMIUM, NO_CHROMIUM, accessibility_problems
from qn_testkit.served_app import served

pytestmark = pytest.mark.e2e

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")


@pytest.fixture(scope="module")
def portal_url(intake, tokens, drop_in, kit_paths) -> Iterator[str]:
    settings = PortalSettings(
        intake_url=intake.url,
        scheduling_url=drop_in.scheduling_url,
        reporting_url=drop_in.reporting_url,
        session_secret="browser-test-secret",
        local_key_dir=tokens.key_dir,
        local_city_dir=kit_paths,
        log_json=True,
    )
    with served(create_app(settings, clock=drop_in.clock)) as url:
        yield url


@pytest.fixture(scope="module")
def kit_paths() -> Path:
    return Path(__file__).resolve().parents[3] / "deploy" / "demo-city"


@pytest.fixture
def page(browser, portal_url) -> Iterator[Any]:
    context = browser.new_context(base_url=portal_url, locale="de-DE", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def accessible(page: Any, what: str) -> None:
    problems = accessibility_problems(page)
    assert not problems, f"axe-core on {what}:\n" + "\n".join(problems)


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def sign_in(page: Any, user_id: str) -> None:
    page.goto("/anmelden")
    page.locator(f'button[data-user="{user_id}"]').click()
    page.wait_for_load_state()


def test_the_coordinator_plans_the_week_and_records_attendance_in_two_taps(page, shots, drop_in):
    sign_in(page, "demo-coordinator")
    page.get_by_role("link", name="Treffs").click()
    accessible(page, "the drop-in centres")
    page.get_by_role("link", name="Franztreff", exact=True).click()
    sync_api.expect(page.locator("h1")).to_contain_text("Franztreff: Woche")
    accessible(page, "the week of a centre")
    shot(page, shots, "13-treff-woche")

    # tap 1: the café that began today; tap 2: the count, saved
    page.locator(f"li#termin-{drop_in.cafe_today} a.button").click()
    sync_api.expect(page.get_by_label("Anzahl Teilnehmende")).to_be_focused()
    accessible(page, "an occurrence with its forms")
    shot(page, shots, "14-termin")
    page.get_by_label("Anzahl Teilnehmende").fill("9")
    page.get_by_role("button", name="Speichern").click()
    sync_api.expect(page.get_by_role("status")).to_contain_text("Die Teilnahme ist gespeichert.")
    sync_api.expect(page.locator(f"li#termin-{drop_in.cafe_today}")).to_contain_text("9 gekommen")

    page.get_by_role("link", name="Nächste Woche").click()
    sync_api.expect(page.locator("h1")).not_to_contain_text(drop_in.today().strftime("W%V"))

    page.get_by_role("link", name="Neue Terminreihe").click()
    page.get_by_role("button", name="Vorschau").click()
    summary = page.locator(".error-summary")
    sync_api.expect(summary).to_be_focused()
    sync_api.expect(summary).to_contain_text("Geben Sie einen Titel an.")
    accessible(page, "the series form with errors")

    monday = drop_in.today() + timedelta(days=7 - drop_in.today().weekday())
    page.get_by_label("Titel (öffentlich)").fill("Spielenachmittag")
    page.get_by_label("Art des Angebots").select_option("leisure")
    page.get_by_label("Einsamkeit").check()
    page.get_by_label("Raum", exact=True).select_option("kueche")
    page.get_by_label("Erster Tag").fill(monday.isoformat())
    page.get_by_label("Beginn").fill("12:00")
    page.get_by_label("Ende").fill("14:00")
    page.get_by_label("Montag").check()
    page.get_by_label("Bis einschließlich").fill((monday + timedelta(days=13)).isoformat())
    page.get_by_role("button", name="Vorschau").click()
    sync_api.expect(page.locator("[data-preview-summary]")).to_contain_text("Terminen kollidieren")
    accessible(page, "the series preview with collisions")
    shot(page, shots, "15-terminreihe-vorschau")

    page.goto("/treffs/franztreff/schliesszeiten")
    accessible(page, "the closures of a centre")
    shot(page, shots, "16-schliesszeiten")
    page.goto("/treffs/franztreff/raumanfragen")
    accessible(page, "a centre's pending room requests")


def test_the_carrier_sees_its_hours_and_the_committee_its_tables(page, shots, drop_in):
    sign_in(page, "demo-carrier-caritas-dessau")
    page.get_by_role("link", name="Beratungszeiten").click()
    sync_api.expect(page.locator("main table")).to_contain_text("Schuldnerberatung")
    accessible(page, "the carrier's counselling hours")
    shot(page, shots, "17-beratungszeiten")
    page.get_by_role("link", name="Raumanfragen").click()
    sync_api.expect(page.locator("h1")).to_have_text("Raumanfragen")
    accessible(page, "the carrier's room requests with the form")
    # a request sent from the form: the carrier's list with it, then the coordinator's forms for it
    page.get_by_label("Treff und Raum").select_option("franztreff/beratung-traeger")
    # another day than the access-matrix test's request (the module shares one scheduling)
    page.get_by_label("Tag", exact=True).fill((drop_in.today() + timedelta(days=43)).isoformat())
    page.get_by_label("Beginn").fill("14:00")
    page.get_by_label("Ende").fill("15:00")
    page.get_by_label("Wofür (Titel)").fill("Sprechstunde Schuldnerberatung")
    page.get_by_role("button", name="Raum anfragen").click()
    sync_api.expect(page.get_by_role("status")).to_contain_text("Die Raumanfrage ist gestellt.")
    accessible(page, "the carrier's room requests with a pending one")
    page.get_by_role("button", name="Abmelden").click()
    sign_in(page, "demo-coordinator")
    page.goto("/treffs/franztreff/raumanfragen")
    sync_api.expect(page.locator("main")).to_contain_text("Sprechstunde Schuldnerberatung")
    accessible(page, "a centre's pending room request with its approve and decline forms")

    page.get_by_role("button", name="Abmelden").click()
    sign_in(page, "demo-committee")
    sync_api.expect(page.locator("h1")).to_have_text("Kennzahlen für den Ausschuss")
    page.get_by_label("Kennzahl").select_option(index=1)
    page.get_by_label("Jahr").fill(str(drop_in.today().year))
    page.get_by_role("button", name="Tabelle zeigen").click()
    sync_api.expect(page.locator("[data-legend]")).to_contain_text("Zahlenwert geheim zu halten")
    accessible(page, "a committee table with its legend (and the form above it)")
    shot(page, shots, "18-kennzahlen")
