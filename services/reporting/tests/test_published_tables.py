"""The published tables as the public and an intruder see them: a year of concerns in the demo
city, every table the API serves for that year (month, Quartal, year x quarter, district, city x
all concerns, by topic and by channel), fetched without a login, then attacked together."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import nats
import pytest

from qn_contracts.intake import ConcernRecorded
from qn_reporting import warm_up
from qn_testkit.interval_attack import attack

from .conftest import Reporting

pytestmark = pytest.mark.integration

QUARTERS = {"innenstadt-sued": 12, "innenstadt-mitte": 6, "innenstadt-nord": 3, "ziebigk": 1, "rosslau": 8}
"""Concerns per month and quarter, roughly: Ziebigk's are small enough to need protection."""
TOPICS = ["alter", "wohnen", "einsamkeit", "schulden"]
CHANNELS = {"walk_in": 5, "phone": 4, "home_visit": 1, "kuemmerer_observation": 1, "office_referral": 1}
"""How concerns reach the team, by weight: home visits and referrals are rare, so small."""
YEAR = 2025


async def _publish_all(url: str, messages: list) -> None:
    connection = await nats.connect(url)
    try:
        js = connection.jetstream()
        for message in messages:
            await js.publish(message.subject, message.body, headers=message.headers)
    finally:
        await connection.close()


@dataclass(frozen=True)
class Year:
    total: int
    channels: Counter[tuple[str, str, str]]
    """(month, quarter, channel) -> concerns: what the office knows, for the test only."""


@pytest.fixture
def a_year_of_concerns(reporting: Reporting) -> Year:
    rng = random.Random(2025)
    messages = []
    channels: Counter[tuple[str, str, str]] = Counter()
    for month in range(1, 13):
        for quarter, mean in QUARTERS.items():
            for _ in range(max(0, round(rng.gauss(mean, mean / 3)))):
                event = ConcernRecorded(
                    concern_id=uuid.uuid4(),
                    quarter_id=quarter,
                    channel=rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
                    topics=rng.sample(TOPICS, rng.choice([1, 1, 2])),
                    urgency="soon",
                )
                messages.append(reporting.wire(event, datetime(YEAR, month, 14, 10).isoformat() + "+00:00"))
                channels[(f"{YEAR}-{month:02d}", quarter, event.channel)] += 1
    asyncio.run(_publish_all(reporting.nats_url, messages))
    reporting.wait_for_total("concern.recorded", len(messages), **{"from": f"{YEAR}-01", "to": f"{YEAR}-12"})
    return Year(len(messages), channels)


CHANNEL = "channel:"
"""Prefix of a channel's (or channel group's) code in the test's third coordinate, apart from topics."""


def every_table(reporting: Reporting) -> dict[tuple[str, str, str], int | None]:
    published: dict[tuple[str, str, str], int | None] = {}
    for time in ("month", "quartal", "year"):
        for place in ("quarter", "district", "city"):
            for cut in ({"topics": "false"}, {"topics": "true"}, {"details": "true"}):
                answer = reporting.client.get(
                    "/tables/concern.recorded", params={"year": YEAR, "time": time, "place": place, **cut}
                )
                assert answer.status_code == 200, answer.text
                for row in answer.json()["rows"]:
                    third = row["topic"] if row["detail"] == "*" else CHANNEL + row["detail"]
                    key = (row["period"], row["place"], third)
                    assert published.get(key, row["value"]) == row["value"], f"{key} differs between two tables"
                    published[key] = row["value"]
    return published


def true_counts(reporting: Reporting, year: Year) -> dict[tuple[str, str, str], int]:
    """Every cell of every level as the office knows it (its own raw figures and the channels the
    concerns came by, for the test only)."""
    raw = reporting.counts(metric="concern.recorded", **{"from": f"{YEAR}-01", "to": f"{YEAR}-12"})["rows"]
    group = {"office_referral": "@referred"}
    by_channel = [
        (month, quarter, CHANNEL + code, n)
        for (month, quarter, channel), n in year.channels.items()
        for code in (channel, group.get(channel, "@first_contact"))
    ]
    district = {"rosslau": "district:rosslau"}
    counts: dict[tuple[str, str, str], int] = {}
    for month, quarter, third, n in [(r["month"], r["quarter_id"], r["topic"], r["count"]) for r in raw] + by_channel:
        quartal = f"{YEAR}-Q{(int(month[5:]) - 1) // 3 + 1}"
        places = (quarter, district.get(quarter, "district:dessau"), "city")
        for period in (month, quartal, str(YEAR)):
            for place in places:
                key = (period, place, third)
                counts[key] = counts.get(key, 0) + n
    return counts


def hierarchy(published: dict[tuple[str, str, str], int | None]) -> list:
    """What anyone knows about how the tables add up (the city's districts are public)."""
    quartals = {f"{YEAR}-Q{q}": tuple(f"{YEAR}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)) for q in range(1, 5)}
    time = {str(YEAR): tuple(quartals), **quartals}
    place = {
        "city": ("district:dessau", "district:rosslau"),
        "district:dessau": ("innenstadt-sued", "innenstadt-mitte", "innenstadt-nord", "ziebigk"),
        "district:rosslau": ("rosslau",),
    }
    topics = {"*": tuple(sorted({key[2] for key in published if not key[2].startswith(CHANNEL)} - {"*"}))}
    # the channels add up to all concerns, in two published groups: first contacts and referrals
    first = tuple(f"{CHANNEL}{c}" for c in ("walk_in", "phone", "home_visit", "kuemmerer_observation"))
    groups = {f"{CHANNEL}@first_contact": first, f"{CHANNEL}@referred": (f"{CHANNEL}office_referral",)}
    channels = {"*": tuple(groups), **groups}
    assert {key[2] for key in published if key[2].startswith(CHANNEL)} == {*first, *groups, f"{CHANNEL}office_referral"}
    return [(time, True), (place, True), [(topics, False), (channels, True)]]


def test_the_differencing_attack_on_every_table_of_a_year_recovers_no_small_count(
    reporting: Reporting, a_year_of_concerns: Year
) -> None:
    published = every_table(reporting)
    hidden = [key for key, value in published.items() if value is None]
    assert hidden, "Ziebigk's months are small: something must be protected"
    assert published[(str(YEAR), "city", "*")] == a_year_of_concerns.total, "the year's total is published as it is"
    truth = true_counts(reporting, a_year_of_concerns)
    shown = {key: value for key, value in published.items() if value is not None}
    assert all(truth.get(key, 0) == value for key, value in shown.items()), "what is shown is true"

    small = {key: n for key, n in truth.items() if 0 < n < 3}
    assert {key[0] for key in small} > {f"{YEAR}-Q1"}, "the year has counts of 1 and 2, by month and by Quartal"
    assert any(key[2].startswith(CHANNEL) for key in small), "home visits and referrals are few"
    assert all(published[key] is None for key in small)

    found = attack(published, hierarchy(published), asked=small)

    for (month, quarter, topic), count in small.items():
        low, high = found[(month, quarter, topic)]
        # it cannot be told to be small (reaches 3), nor (for a 1) that anyone is behind it
        assert high >= 3 - 1e-6 and low <= count - 1 + 1e-6, f"{month} {quarter} {topic}: [{low:.2f}, {high:.2f}]"


def test_a_table_says_in_german_what_its_dots_mean_and_needs_no_login(
    reporting: Reporting, a_year_of_concerns: Year
) -> None:
    answer = reporting.client.get("/tables/concern.recorded", params={"year": YEAR, "time": "month"})
    assert answer.status_code == 200
    table = answer.json()
    assert table["label"] == "Erfasste Anliegen"
    assert table["protection"]["minimum"] == 3
    assert "gesperrt" in table["protection"]["note"]
    ziebigk = [row for row in table["rows"] if row["place"] == "ziebigk"]
    assert len(ziebigk) == 12 and all(row["place_label"] == "Ziebigk" for row in ziebigk)
    assert any(row["flag"] == "." and row["value"] is None for row in ziebigk)
    assert all((row["value"] is None) == (row["flag"] == ".") for row in table["rows"])
    # how fresh: up to the last concern counted, the fourteenth of December
    assert table["freshness"]["latest_event_time"].startswith(f"{YEAR}-12-14T10:00")
    assert table["freshness"]["events"] == a_year_of_concerns.total
    assert table["freshness"]["event_types"] == ["qn.intake.concern.recorded.v1"]
    english = reporting.client.get(
        "/tables/concern.recorded", params={"year": YEAR}, headers={"Accept-Language": "en"}
    ).json()
    assert english["label"] == "Concerns recorded" and "not shown" in english["protection"]["note"]


def test_an_unknown_metric_or_a_bad_level_is_refused_naming_the_field(reporting: Reporting) -> None:
    unknown = reporting.client.get("/tables/concern.escalated", params={"year": YEAR})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "metric"
    bad = reporting.client.get("/tables/concern.recorded", params={"year": YEAR, "time": "week"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "time"


def test_the_csv_opens_in_a_german_spreadsheet_with_dots_where_the_table_has_them(
    reporting: Reporting, a_year_of_concerns: Year
) -> None:
    params = {"year": YEAR, "time": "month", "place": "quarter"}
    answer = reporting.client.get("/tables/concern.recorded", params={**params, "format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode()), "a byte-order mark, so Excel reads UTF-8"
    lines = answer.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Zeitraum;Ort;Bezeichnung;Thema;Anzahl"
    rows = [line.split(";") for line in lines[1:] if line.count(";") == 4]
    json_rows = reporting.client.get("/tables/concern.recorded", params=params).json()["rows"]
    assert [r[4] for r in rows] == ["." if r["value"] is None else str(r["value"]) for r in json_rows]
    assert any(r[2] == "Innerstädtischer Bereich Süd (Am Leipziger Tor)" for r in rows)
    assert "gesperrt" in answer.content.decode("utf-8-sig")
    assert f"Stand: Ereignisse bis {YEAR}-12-14T10:00:00+00:00 ({a_year_of_concerns.total} Ereignisse)" in lines


def test_the_dashboard_shows_the_years_figures_with_dots_and_a_map_without_login(
    reporting: Reporting, a_year_of_concerns: Year
) -> None:
    # the year is protected in the background first (as at a start with QN_REPORTING_WARM_UP_FIGURES),
    # and the page is then served from what the warm-up kept
    state = reporting.client.app.state
    warm_up.start(state.runtime, state.protected_cubes, state.protected_breakdowns, year=YEAR).join(timeout=240)
    assert ("concern.recorded", YEAR) in state.protected_cubes._kept, "the warm-up protected the year"
    page = reporting.client.get("/dashboard", params={"year": YEAR, "time": "month"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="de">' in html and "Kennzahlen der Sozialräume" in html
    assert f"Erfasste Anliegen {YEAR}, ganze Stadt" in html
    series = html[html.index(f"Erfasste Anliegen {YEAR}, ganze Stadt") :]
    series = series[: series.index("</table>")]
    assert f"<td>{a_year_of_concerns.total}</td>" not in series, "months, not the year, in the series"
    assert html.count("<path d=") >= 4, "the quarters with an outline are drawn"
    assert "<td>.</td>" in html, "hidden cells are shown as '.'"
    assert "„.“ – Wert gesperrt" in html
    assert f"Stand: Ereignisse bis {YEAR}-12-14 10:00 UTC ({a_year_of_concerns.total} Ereignisse)." in html
    table = reporting.client.get("/tables/concern.recorded", params={"year": YEAR, "time": "month"}).json()
    sued = [r["value"] for r in table["rows"] if r["place"] == "innenstadt-sued" and r["topic"] == "*"]
    row = "".join(f"<td>{'.' if v is None else v}</td>" for v in sued)
    assert row in html, "the dashboard's table is the published table"
    # how the concerns came: first contacts with their channels below, then referrals
    assert f"Anliegen {YEAR} nach Zugangsweg, ganze Stadt" in html
    first, walk_in, referred = (
        html.index(s) for s in ("Erstkontakte", "–\u00a0Persönlich vorbeigekommen", "Weitergeleitet")
    )
    assert first < walk_in < referred
    assert "figures/concerns?year=2025&amp;format=csv" in html
    english = reporting.client.get("/dashboard", params={"year": YEAR, "lang": "en"}).text
    assert '<html lang="en">' in english and "Figures of the neighbourhoods" in english
    assert "First contacts (straight to the team)" in english


def test_the_note_under_a_table_names_every_protection_it_got() -> None:
    from qn_reporting.tables.api import protection_note

    rounded = protection_note("de", 3, "primary_and_secondary_suppression+rounding_5")
    withheld = protection_note("en", 3, "primary_and_secondary_suppression+cell_key+withheld")
    assert "Vielfache von 5" in rounded
    assert "cell-key" in withheld and "every cell but the empty ones is hidden" in withheld


def test_the_concerns_by_channel_show_first_contacts_and_referrals_hidden_as_in_the_tables(
    reporting: Reporting, a_year_of_concerns: Year
) -> None:
    table = reporting.client.get(
        "/tables/concern.recorded", params={"year": YEAR, "time": "quartal", "place": "quarter", "details": "true"}
    ).json()
    assert table["detail_label"] == "Zugangsweg"
    labels = {row["detail"]: row["detail_label"] for row in table["rows"]}
    assert labels["@first_contact"].startswith("Erstkontakte") and labels["home_visit"] == "Hausbesuch"
    # the figure is cut from the tables' own cube: every cell both show is shown alike, or hidden in both
    figure = reporting.client.get("/figures/concerns", params={"year": YEAR}).json()
    rows = [r for r in figure["rows"] if r["topic"] == "*"]
    in_figure = {(r["period"], r["place"], r["detail"]): r["values"]["concerns"] for r in rows}
    in_table = {(r["period"], r["place"], r["detail"]): r["value"] for r in table["rows"]}
    shared = set(in_figure) & set(in_table)
    assert len(shared) >= 5 * 4 * 5, "every quarter, Quartal and channel seen"
    assert {k: (in_figure[k], in_table[k]) for k in shared if in_figure[k] != in_table[k]} == {}
    assert any(in_table[key] is None for key in shared), "the rare channels are protected"
    city = {r["detail"]: r["values"]["concerns"] for r in rows if r["period"] == str(YEAR) and r["place"] == "city"}
    referred = sum(n for (_, _, channel), n in a_year_of_concerns.channels.items() if channel == "office_referral")
    assert city["*"] == a_year_of_concerns.total and city["@referred"] in (referred, None)
    assert city["@first_contact"] in (a_year_of_concerns.total - referred, None)
    csv = reporting.client.get(
        "/tables/concern.recorded",
        params={"year": YEAR, "time": "year", "place": "city", "details": "true", "format": "csv"},
    ).content.decode("utf-8-sig")
    assert csv.startswith("Zeitraum;Ort;Bezeichnung;Thema;Zugangsweg;Anzahl\r\n")
    assert ";Stadt gesamt;*;Persönlich vorbeigekommen;" in csv


def test_only_a_metric_with_details_can_be_split_by_them(reporting: Reporting) -> None:
    refused = reporting.client.get("/tables/referral.requested", params={"year": YEAR, "details": "true"})
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "details" and "concern.recorded" in error["message"]
