"""The printed period report for a committee: a PDF cut from the published tables, read back with
pypdf (a library other than the one writing it): the same values, "." where the tables hide one,
no small count anywhere, German by default and English on request, announced once per version."""

from __future__ import annotations

import asyncio
import io
import random
import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import nats
import pytest
from pypdf import PdfReader

from qn_contracts.intake import ConcernRecorded, ReferralRequested, ReferralStatusChanged
from qn_contracts.scheduling import OccurrenceAttended
from qn_infra.clock import TickingClock
from qn_reporting.app import create_app
from qn_reporting.config import ReportingSettings
from qn_reporting.reports.period import Period, change_percent
from qn_testkit.days import reference_day
from qn_testkit.services import running_app
from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import Reporting

YEAR = 2025
QUARTERS = {"innenstadt-sued": 14, "innenstadt-mitte": 7, "innenstadt-nord": 4, "rosslau": 9}
NAMES = {
    "innenstadt-sued": "Innerstädtischer Bereich Süd (Am Leipziger Tor)",
    "innenstadt-mitte": "Innerstädtischer Bereich Mitte",
    "rosslau": "Roßlau",
}
TOPICS = ["alter", "wohnen", "einsamkeit", "schulden"]


# -- the period and its trend: plain functions -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "previous", "start", "end"),
    [
        ("2026-Q1", "2025-Q4", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q3", "2026-Q2", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", "2026-Q3", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", "2025", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_a_period_compares_with_the_one_before(text: str, previous: str, start: date, end: date) -> None:
    period = Period.parse(text)
    assert (period.code, period.previous().code, period.start, period.end) == (text, previous, start, end)


def test_no_change_is_stated_on_a_hidden_value_or_a_small_base() -> None:
    assert change_percent(40, 50, 3) == 25
    assert change_percent(None, 50, 3) is None and change_percent(40, None, 3) is None
    assert change_percent(2, 50, 3) is None, "no rate on a base below the minimum"
    assert change_percent(0, 5, 3) is None


# -- the report served: one reporting with a year and a half of events for the module ----------


def _at(month: int, year: int = YEAR) -> str:
    return datetime(year, month, 14, 10).isoformat() + "+00:00"


async def _publish_all(url: str, messages: list) -> None:
    connection = await nats.connect(url)
    try:
        js = connection.jetstream()
        for message in messages:
            await js.publish(message.subject, message.body, headers=message.headers)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def reporting(module_service_settings: Any, tokens: Any) -> Iterator[Reporting]:
    settings = module_service_settings(ReportingSettings, consumer_backoff_seconds=(0.2, 0.5))
    clock = TickingClock(reference_day())
    with running_app(
        create_app(settings, clock=clock), migrations_of="reporting", database_url=settings.database_url
    ) as client:
        eventually(lambda: client.get("/readyz").status_code == 200, what="reporting ready")
        running = Reporting(client, settings.nats_url, tokens, settings, clock)
        rng = random.Random(7)
        messages = []
        for month in range(1, 7):
            for quarter, mean in QUARTERS.items():
                for _ in range(max(0, round(rng.gauss(mean, mean / 4)))):
                    event = ConcernRecorded(
                        concern_id=uuid.uuid4(),
                        quarter_id=quarter,
                        channel="walk_in",
                        topics=rng.sample(TOPICS, rng.choice([1, 1, 2])),
                        urgency="soon",
                    )
                    messages.append(running.wire(event, _at(month)))
        # Ziebigk: one concern in the second Quartal, none before -- a cell that must not show
        one = ConcernRecorded(
            concern_id=uuid.uuid4(), quarter_id="ziebigk", channel="phone", topics=["schulden"], urgency="soon"
        )
        messages.append(running.wire(one, _at(5)))
        for month in (4, 5, 6):
            for quarter in QUARTERS:
                for _ in range(3):
                    concern = uuid.uuid4()
                    referral = ReferralRequested(
                        referral_id=uuid.uuid4(),
                        concern_id=concern,
                        quarter_id=quarter,
                        topics=["alter"],
                        urgency="soon",
                        target_id="awo-dessau",
                        target_kind="carrier",
                        due_at=datetime(YEAR, month, 28, 10).astimezone(),
                    )
                    messages.append(running.wire(referral, _at(month)))
        # unmet need in May: four referrals declined in Innenstadt-Süd, one in Roßlau (must not show)
        for quarter, n in (("innenstadt-sued", 4), ("rosslau", 1)):
            for _ in range(n):
                declined = ReferralStatusChanged(
                    referral_id=uuid.uuid4(),
                    concern_id=uuid.uuid4(),
                    quarter_id=quarter,
                    target_id="awo-dessau",
                    topics=["alter"],
                    from_status="requested",
                    to_status="rejected",
                    reason="no_capacity",
                )
                messages.append(running.wire(declined, _at(5)))
        # the lunch table in Innenstadt-Süd: 4 occurrences of 10 in February, 5 of 12 in May; Roßlau one of 2
        for month, quarter, occurrences, people in (
            (2, "innenstadt-sued", 4, 10),
            (5, "innenstadt-sued", 5, 12),
            (5, "rosslau", 1, 2),
        ):
            for day in range(occurrences):
                start = datetime.fromisoformat(f"{YEAR}-{month:02d}-{day + 3:02d}T11:00:00+01:00")
                attended = OccurrenceAttended(
                    offer_id=uuid.uuid4(),
                    site_id="franztreff" if quarter == "innenstadt-sued" else "rosseltreff",
                    quarter_id=quarter,
                    occurrence_start=start,
                    attendance=people,
                    topics=["alter"],
                )
                messages.append(running.wire(attended, start.isoformat()))
        asyncio.run(_publish_all(running.nats_url, messages))
        concerns = sum(1 for m in messages if "concern.recorded" in m.subject)
        running.wait_for_total("concern.recorded", concerns, **{"from": f"{YEAR}-01", "to": f"{YEAR}-12"})
        running.wait_for_total("referral.requested", 36, **{"from": f"{YEAR}-01", "to": f"{YEAR}-12"})
        running.wait_for_total("referral.status_changed", 5, **{"from": f"{YEAR}-01", "to": f"{YEAR}-12"})
        running.wait_for_total("occurrence.attended", 10, **{"from": f"{YEAR}-01", "to": f"{YEAR}-12"})
        yield running


def _text(reporting: Reporting, period: str, **params: str) -> str:
    answer = reporting.client.get(f"/reports/{period}.pdf", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)


def _published(reporting: Reporting, metric: str, quartal: str) -> dict[str, int | None]:
    rows = reporting.client.get(f"/tables/{metric}", params={"year": YEAR}).json()["rows"]
    return {row["place"]: row["value"] for row in rows if row["period"] == quartal and row["topic"] == "*"}


TABLE_LINE = re.compile(r"^\s*(?P<label>\S.*?) (?P<previous>\d+|\.) (?P<current>\d+|\.) (?P<change>x|[+-]\d+ %|±0 %)$")


def _table_lines(text: str) -> dict[str, tuple[str, str]]:
    """(previous, current) as printed after each name, from the first table that names it."""
    found: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        if match := TABLE_LINE.match(line):
            found.setdefault(match["label"], (match["previous"], match["current"]))
    return found


def _shown(value: int | None) -> str:
    return "." if value is None else str(value)


def test_the_report_shows_the_published_values_and_hides_the_small_ones(reporting: Reporting) -> None:
    text = _text(reporting, f"{YEAR}-Q2")
    assert f"Bericht für den Ausschuss: 2. Quartal {YEAR}" in text
    assert f"Vergleich mit 1. Quartal {YEAR}" in text
    published = _published(reporting, "concern.recorded", f"{YEAR}-Q2")
    previous = _published(reporting, "concern.recorded", f"{YEAR}-Q1")
    assert published["ziebigk"] is None, "the one concern in Ziebigk is hidden in the tables"
    lines = _table_lines(text)  # the concerns' section comes first
    for place, name in {**NAMES, "ziebigk": "Ziebigk"}.items():
        assert lines[name] == (_shown(previous[place]), _shown(published[place])), name
    assert lines["Ziebigk"][1] == ".", "the small cell is printed as '.'"
    printed = [value for pair in _table_lines_all(text) for value in pair]
    assert len(printed) > 40 and "." in printed
    assert not {"1", "2"} & set(printed), "no count below the minimum in any table of the report"
    assert "Werte unter 3 sind gesperrt" in text


def test_the_report_holds_the_unmet_need_as_the_figure_publishes_it(reporting: Reporting) -> None:
    text = _text(reporting, f"{YEAR}-Q2")
    unmet = text[text.index("Ungedeckter Bedarf (abgelehnte und gescheiterte Weiterleitungen) nach Quartier") :]
    lines = _table_lines(unmet)  # the unmet need's own table, after its heading
    figure = reporting.client.get("/figures/unmet_need", params={"year": str(YEAR)}).json()
    published = {
        r["place"]: r["values"]["referrals"]
        for r in figure["rows"]
        if r["period"] == f"{YEAR}-Q2" and r["topic"] == "*" and r["detail"] == "*"
    }
    south = NAMES["innenstadt-sued"]
    assert lines[south][1] == _shown(published["innenstadt-sued"]) and lines[south][0] == "0"
    assert lines["Roßlau"][1] == ".", "the one declined referral in Roßlau is not printed"


def test_the_report_holds_the_drop_in_centres_attendance_per_quarter(reporting: Reporting) -> None:
    text = _text(reporting, f"{YEAR}-Q2")
    section = text[text.index("Teilnehmende in den Angebotstreffs nach Quartier") :]
    lines = _table_lines(section)
    rows = reporting.client.get("/figures/attendance", params={"year": str(YEAR)}).json()["rows"]
    published = {(r["period"], r["place"]): r["values"]["attendance"] for r in rows if r["topic"] == "*"}
    south = lines[NAMES["innenstadt-sued"]]
    assert south[0] == "40", "the people who came the Quartal before"
    assert south[1] == _shown(published[(f"{YEAR}-Q2", "innenstadt-sued")]), "now: as the figure publishes it"
    assert lines["Roßlau"][1] == ".", "two people at one occurrence are not printed"


def _table_lines_all(text: str) -> list[tuple[str, str]]:
    return [(m["previous"], m["current"]) for line in text.splitlines() if (m := TABLE_LINE.match(line))]


def test_the_report_is_in_english_on_request(reporting: Reporting) -> None:
    text = _text(reporting, f"{YEAR}-Q2", lang="en")
    assert f"Report to the committee: Q2 {YEAR}" in text and "not shown ('.')" in text


def test_each_version_of_a_report_is_announced_once_without_any_figure(reporting: Reporting) -> None:
    for _ in range(2):
        _text(reporting, f"{YEAR}-Q2")

    def announced() -> list[Any]:
        return [m for m in read_stream(reporting.nats_url, "QN_REPORTING") if m.body.get("period") == f"{YEAR}-Q2"]

    eventually(lambda: len(announced()) >= 1, what="report.published")
    [message] = announced()
    assert message.subject == "qn.v1.reporting.report.published"
    body = message.body
    assert body["formats"] == ["pdf"] and body["path"] == f"reports/{YEAR}-Q2.pdf"
    assert body["period_start"] == f"{YEAR}-04-01" and body["period_end"] == f"{YEAR}-06-30"
    assert "concern.recorded" in body["metrics"] and body["disclosure_minimum"] == 3
    assert set(body) <= {
        "report_id",
        "period_start",
        "period_end",
        "scope",
        "audience",
        "formats",
        "period",
        "path",
        "metrics",
        "disclosure_minimum",
    }


def test_a_period_not_begun_or_not_a_period_is_refused_naming_it(reporting: Reporting) -> None:
    future = reporting.client.get("/reports/2099-Q1.pdf")
    assert future.status_code == 404 and "2099-Q1" in future.json()["detail"]
    wrong = reporting.client.get("/reports/2026-Q5.pdf")
    assert wrong.status_code == 422 and "period" in wrong.text
