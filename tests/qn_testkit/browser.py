"""Pages in a real headless Chromium: the system's (Debian's package), never one a test tool
downloads, with the launch flags this kind of machine needs, and axe-core's WCAG 2.1 A/AA check.

`axe.min.js` (axe-core, MPL-2.0, licence beside it) lies in tests/fixtures/axe-core: it is injected
into pages under test, never served by an app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("QN_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[1] / "fixtures" / "axe-core" / "axe.min.js"
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NO_CHROMIUM = (
    f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium); "
    "the browser tests never download a browser"
)


def accessibility_problems(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "t => axe.run(document, {runOnly: {type: 'tag', values: t}, resultTypes: ['violations']})", WCAG_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -- {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
