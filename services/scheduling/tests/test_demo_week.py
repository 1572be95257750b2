"""The demo city's real week, as a coordinator of the Franztreff and the Rosseltreff would check
it after `make run`: deploy/demo-city/sites.toml and offers.toml, loaded the way the demo loader
loads them (its own function builds the request bodies)."""

from __future__ import annotations

import importlib.util
import io
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from dateutil.easter import easter
from pypdf import PdfReader

from qn_infra.clock import TickingClock
from qn_scheduling.app import create_app
from qn_scheduling.config import SchedulingSettings
from qn_testkit.browser import CHROMIUM, LAUNCH_FLAGS, NO_CHROMIUM, accessibility_problems
from qn_testkit.days import reference_day
from qn_testkit.services import running_app

from .conftest import DEMO_CITY, Scheduling

pytestmark = pytest.mark.integration


def _demo_loader() -> Any:
    spec = importlib.util.spec_from_file_location("demo_loader", DEMO_CITY.parent / "local" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo(module_service_settings: Any, tokens: Any) -> Iterator[Scheduling]:
    """One scheduling service with the demo city loaded, shared by this module's tests (they only read)."""
    settings = module_service_settings(SchedulingSettings, city_dir=DEMO_CITY)
    clock = TickingClock(reference_day())
    app = create_app(settings, clock=clock)
    with running_app(app, migrations_of="scheduling", database_url=settings.database_url) as client:
        yield _loaded(Scheduling(client, settings.nats_url, tokens, settings, clock))


def _loaded(scheduling: Scheduling) -> Scheduling:
    demo_bodies = _demo_loader().offer_bodies
    for site in tomllib.loads((DEMO_CITY / "sites.toml").read_text(encoding="utf-8"))["sites"]:
        body = {key: value for key, value in site.items() if key != "id"}
        assert (
            scheduling.client.put(f"/sites/{site['id']}", json=body, headers=scheduling.coordinator()).status_code
            == 201
        )
    for site_id, body in demo_bodies(scheduling.today()):
        made = scheduling.client.post(f"/sites/{site_id}/offers", json=body, headers=scheduling.coordinator())
        assert made.status_code == 201, f"{site_id} {body['title']}: {made.text}"
    return scheduling


def offers(demo, site_id: str) -> list[dict[str, Any]]:
    return list(demo.client.get(f"/sites/{site_id}/offers", headers=demo.coordinator()).json())


@pytest.mark.parametrize("site_id", ["franztreff", "rosseltreff"])
def test_each_drop_in_centre_has_the_week_the_concept_asks_for(demo, site_id: str) -> None:
    planned = offers(demo, site_id)
    lunch = [o for o in planned if o["kind"] == "lunch_table"]
    assert len(lunch) == 1 and lunch[0]["org_id"] == "dessauer-tafel"
    assert "BYDAY=MO,WE,FR" in lunch[0]["rrule"] and (lunch[0]["starts"], lunch[0]["ends"]) == ("11:00", "13:00")
    hours = [o for o in planned if o["kind"] == "office_hours"]
    assert len(hours) == 1 and "BYDAY=MO,TU,WE,TH,FR" in hours[0]["rrule"]
    assert (hours[0]["starts"], hours[0]["ends"]) == ("09:00", "17:00")
    counselling = [o for o in planned if o["kind"] == "counselling"]
    assert len({o["org_id"] for o in counselling}) >= 3
    assert {"WEEKLY", "MONTHLY"} <= {o["rrule"].split(";")[0].removeprefix("FREQ=") for o in counselling}
    assert {o["room_id"] for o in counselling} == {"beratung-traeger"}
    assert any(o["kind"] == "group" for o in planned)


def test_a_quiet_week_at_the_franztreff_books_the_rooms_as_planned(demo) -> None:
    monday = demo.quiet_monday(weeks=2)
    bookings = demo.client.get(
        "/sites/franztreff/bookings",
        params={"from": monday.isoformat(), "to": (monday + timedelta(days=4)).isoformat()},
        headers=demo.coordinator(),
    ).json()
    by_day: dict[int, list[str]] = defaultdict(list)
    for booking in bookings:
        by_day[datetime.fromisoformat(booking["starts_at"]).weekday()].append(booking["title"])
    assert [by_day[d].count("Mittagstisch") for d in range(5)] == [1, 0, 1, 0, 1]
    assert [by_day[d].count("Offene Sprechzeit der Koordination") for d in range(5)] == [1, 1, 1, 1, 1]
    assert "Schuldner- und Insolvenzberatung" in by_day[1] and "Suchtberatung" in by_day[3]
    assert {b["org_id"] for b in bookings} >= {"dessauer-tafel", "drk-dessau", "caritas-dessau", "diakonie-dessau"}


def test_christmas_and_easter_monday_are_skipped(demo) -> None:
    lunch = next(o for o in offers(demo, "franztreff") if o["kind"] == "lunch_table")
    hours = next(o for o in offers(demo, "franztreff") if o["kind"] == "office_hours")
    today = demo.today()
    easter_monday = next(
        e for e in (easter(y) + timedelta(days=1) for y in range(today.year, today.year + 3)) if e > today
    )
    christmas = [date(y, 12, d) for y in range(today.year, today.year + 3) for d in (25, 26) if date(y, 12, d) > today]

    def on(offer: dict[str, Any], day: date) -> list[dict[str, Any]]:
        return demo.occurrences(offer["id"], day, day)

    assert [(o["status"], o["label"]) for o in on(lunch, easter_monday)] == [("skipped", "Ostermontag")]
    assert [(o["status"], o["label"]) for o in on(hours, easter_monday)] == [("skipped", "Ostermontag")]
    # within the two planned years, Christmas falls on a weekday of the coordinator's hours
    skipped = [o for day in christmas for o in on(hours, day)]
    assert skipped and all(o["status"] == "skipped" and "Weihnachtstag" in o["label"] for o in skipped)
    nothing = demo.client.get(
        "/sites/franztreff/bookings",
        params={"from": easter_monday.isoformat(), "to": easter_monday.isoformat()},
        headers=demo.coordinator(),
    ).json()
    assert nothing == []


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The system's Chromium (never a downloaded one); the tests that need it skip without it."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_FLAGS)
        yield browser
        browser.close()


@pytest.mark.e2e
@pytest.mark.parametrize("site_id", ["franztreff", "rosseltreff"])
def test_the_demo_weeks_programme_passes_axe_and_prints_on_one_a4_page(
    demo, chromium: Any, site_id: str, tmp_path: Any
) -> None:
    """As the coordinator prints it for the notice board: the quiet week of the demo, in Chromium."""
    year, week, _ = demo.quiet_monday(weeks=2).isocalendar()
    html = demo.client.get(f"/sites/{site_id}/programme", params={"week": f"{year}-W{week:02d}"}).text
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.set_content(html)
        assert page.locator("main table").count() == 5, "Monday to Friday"
        assert page.locator("text=Mittagstisch").count() == 3
        problems = accessibility_problems(page)
        assert not problems, "axe-core on the programme:\n" + "\n".join(problems)
        printed = page.pdf(format="A4", prefer_css_page_size=True, print_background=False)
    finally:
        page.close()
    (tmp_path / f"programme-{site_id}.pdf").write_bytes(printed)
    pdf = PdfReader(io.BytesIO(printed))
    assert len(pdf.pages) == 1, f"{len(pdf.pages)} pages"
    width, height = (float(v) for v in pdf.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842), "A4 portrait in points"
    assert "Mittagstisch" in pdf.pages[0].extract_text()
