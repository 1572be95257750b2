"""The public dashboard in a real headless Chromium: it renders, its charts carry the year's
figures, axe-core finds no WCAG 2.1 A/AA violation, in German and English. Without Chromium at
/usr/bin/chromium these tests skip and say so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qn_testkit.browser import CHROMIUM, LAUNCH_FLAGS, NO_CHROMIUM, accessibility_problems

from .conftest import Reporting
from .test_published_tables import YEAR, Year, a_year_of_concerns  # noqa: F401 -- the fixture

pytestmark = pytest.mark.e2e

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")


@pytest.fixture
def page() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_FLAGS)
        tab = browser.new_page(viewport={"width": 1100, "height": 900})
        yield tab
        browser.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_dashboard_renders_with_its_figures_and_passes_axe(
    reporting: Reporting,
    a_year_of_concerns: Year,  # noqa: F811
    page: Any,
    lang: str,
    tmp_path: Any,
) -> None:
    html = reporting.client.get("/dashboard", params={"year": YEAR, "time": "quartal", "lang": lang}).text
    page.set_content(html)
    assert page.locator("h1").inner_text().startswith("Kennzahlen" if lang == "de" else "Figures")
    bars = page.locator("section[aria-labelledby=series-title] svg rect")
    assert bars.count() == 4, "one bar per Quartal"
    heights = [float(bars.nth(i).get_attribute("height")) for i in range(4)]
    assert all(h > 0 for h in heights), "the city's Quartal totals are published and drawn"
    assert page.locator("section[aria-labelledby=map-title] svg path").count() >= 4
    cells = page.locator("#content table").last.locator("td").all_inner_texts()
    assert cells and all(c == "." or c.isdigit() for c in cells)
    problems = accessibility_problems(page)
    page.screenshot(path=str(tmp_path / f"dashboard-{lang}.png"), full_page=True)
    assert not problems, "axe-core on the dashboard:\n" + "\n".join(problems)
