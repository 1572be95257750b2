"""Serving the dashboard's tables for a city of Berlin's size: 542 planning areas (LOR
Planungsräume) in 12 districts, a year of concerns by month and topic.

The city is read from Berlin's planning areas beside the project (`../shared/data/berlin/`,
never copied), with each area's residents from the Monitoring Soziale Stadtentwicklung 2021:
concerns per area and month at the demo city's rate (about 50 a year per 1,000 residents),
spread over 14 topics and 7 channels (which the tables split concerns by, in the same cube) --
about 140,000 stored cells, the rare topics' and channels' small. They are
written into a fresh SQLite database through reporting's own models (the aggregates the
consumer would have counted), and the real app answers over HTTP in-process (no broker needed
for reads):

  - protecting the year (primary and secondary suppression, the interval audit) -- paid once
    per metric and year, after new events arrived: the first request's time;
  - then the dashboard's three tables (quarter x Quartal x topic, quarter x year x topic, city x
    Quartal x topic) and the dashboard page itself, repeatedly: p50 and p95;
  - the baseline: the same year's raw cells from `GET /counts` (unprotected, the office's own (admin)
    route), p95, in the same run.

The city grows to Berlin's size in steps (6, 12, 24 ... 542 areas, each in a process of its
own) while the budget lasts (QN_BENCH_TABLES_BUDGET, 600 s): the steps show how protecting a
year grows with the city (a large one is audited district by district, see docs/reporting.md).
`python bench/tables.py --areas 542` measures one size."""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BERLIN = Path(os.environ.get("QN_BERLIN_DATA", REPO.parent / "shared" / "data" / "berlin"))
YEAR = 2026
ROUNDS = int(os.environ.get("QN_BENCH_TABLES_ROUNDS", "40"))
SIZES = (6, 12, 24, 48, 96, 192, 542)
"""The city grows through these numbers of planning areas (the first N of Berlin's), each size
in a process of its own, until protecting its year does not finish within the budget."""
BUDGET = float(os.environ.get("QN_BENCH_TABLES_BUDGET", "600"))
"""Seconds for all sizes together."""
TOPICS = (
    "alter", "einsamkeit", "pflege", "wohnen", "existenzsicherung", "schulden", "gesundheit",
    "kinder_jugend_familie", "migration_integration", "behinderung_teilhabe", "sucht",
    "nachbarschaftshilfe", "digitale_hilfe", "sonstiges",
)  # fmt: skip
WEIGHTS = (18, 12, 10, 10, 10, 8, 8, 6, 5, 4, 3, 3, 2, 1)
CHANNELS = (
    "walk_in", "phone", "home_visit", "online_form", "kuemmerer_observation", "office_referral", "discharge_notice",
)  # fmt: skip
CHANNEL_WEIGHTS = (32, 30, 8, 10, 10, 6, 4)
PER_RESIDENT_MONTH = 50 / 1000 / 12


def _areas() -> list[tuple[str, str, int]] | None:
    """(PLR_ID, name, residents) of Berlin's 542 planning areas, or None without the data."""
    plr, mss = BERLIN / "plr.csv", BERLIN / "mss_2021_plr.csv"
    if not plr.is_file() or not mss.is_file():
        return None
    with mss.open(encoding="utf-8") as handle:
        residents = {row["PLR_ID"]: int(float(row["Resident Count"] or 0)) for row in csv.DictReader(handle)}
    with plr.open(encoding="utf-8") as handle:
        return [(row["PLR_ID"], row["PLR_NAME"], residents.get(row["PLR_ID"], 7000)) for row in csv.DictReader(handle)]


def _city_toml(areas: list[tuple[str, str, int]], directory: Path) -> None:
    lines = ['name = "Berlin (542 Planungsräume)"']
    for plr_id, name, _ in areas:
        # the first two digits of a PLR id are its Bezirk
        lines += [
            "[[quarters]]",
            f'id = "plr-{plr_id}"',
            f"name = {name!r}".replace("'", '"'),
            f'district = "bezirk-{plr_id[:2]}"',
        ]
    (directory / "city.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cells(areas: list[tuple[str, str, int]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A year of concern counts per area, month and topic, and '*' per area and month; and the
    same concerns per area, month and channel (the breakdown the tables split them by)."""
    rng = random.Random(542)
    rows, channels = [], []
    for plr_id, _, residents in areas:
        for month in range(1, 13):
            n = max(0, round(rng.gauss(residents * PER_RESIDENT_MONTH, 2)))
            by_topic = dict.fromkeys(TOPICS, 0)
            for _ in range(n):
                for topic in set(rng.choices(TOPICS, WEIGHTS, k=rng.choice((1, 1, 2)))):
                    by_topic[topic] += 1
            period, place = f"{YEAR}-{month:02d}", f"plr-{plr_id}"
            key = {"metric": "concern.recorded", "month": period, "quarter_id": place}
            rows.append({**key, "topic": "*", "n": n})
            rows += [{**key, "topic": topic, "n": count} for topic, count in by_topic.items() if count]
            by_channel = Counter(rng.choices(CHANNELS, CHANNEL_WEIGHTS, k=n))
            channels += [
                {"figure": "concern_channel", "period": period, "place": place, "topic": "*", "detail": channel,
                 "n": count, "hundredths": 0}
                for channel, count in sorted(by_channel.items())
            ]  # fmt: skip
    return rows, channels


def _timed(call: Any) -> float:
    started = time.perf_counter()
    response = call()
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return time.perf_counter() - started


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def serve(count: int) -> dict[str, float]:
    """The measurement for the first `count` planning areas, in this process."""
    areas = (_areas() or [])[:count]
    from fastapi.testclient import TestClient
    from sqlalchemy import insert

    from qn_infra.database import migrate
    from qn_infra.devkeys import ensure_keys, issue_token
    from qn_reporting.app import create_app
    from qn_reporting.breakdowns.models import BreakdownCell
    from qn_reporting.config import ReportingSettings
    from qn_reporting.figures.models import CountCell

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        _city_toml(areas, directory)
        url = f"sqlite:///{directory / 'reporting.sqlite3'}"
        migrate(url, REPO / "services/reporting/qn_reporting/migrations")
        keys = ensure_keys(directory / "keys").parent
        settings = ReportingSettings(
            database_url=url, city_dir=directory, data_dir=directory, auth_jwks_file=keys / "jwks.json",
            public_rate_limit="100000/second", log_level="WARNING",
        )  # fmt: skip
        app = create_app(settings)
        cells, channels = _cells(areas)
        with app.state.runtime.engine.begin() as connection:
            connection.execute(insert(CountCell), cells)
            connection.execute(insert(BreakdownCell), channels)
        token = {"Authorization": f"Bearer {issue_token(keys, roles=['admin'])}"}
        client = TestClient(app)  # no lifespan: reads need no broker
        table = "/tables/concern.recorded"
        calls = {
            "quarter_quartal_topics": lambda: client.get(
                table, params={"year": YEAR, "time": "quartal", "topics": "true"}
            ),
            "quarter_year_topics": lambda: client.get(table, params={"year": YEAR, "time": "year", "topics": "true"}),
            "city_quartal_topics": lambda: client.get(
                table, params={"year": YEAR, "time": "quartal", "place": "city", "topics": "true"}
            ),
            "dashboard": lambda: client.get("/dashboard", params={"year": YEAR}),
        }
        protect = _timed(calls["quarter_quartal_topics"])  # the first request protects the year
        samples: dict[str, list[float]] = {name: [] for name in calls}
        raw: list[float] = []
        for _ in range(ROUNDS):
            for name, call in calls.items():
                samples[name].append(_timed(call))
            raw.append(
                _timed(
                    lambda: client.get(
                        "/counts",
                        params={"metric": "concern.recorded", "from": f"{YEAR}-01", "to": f"{YEAR}-12"},
                        headers=token,
                    )
                )
            )
        hidden = client.get(table, params={"year": YEAR}).json()["protection"]["hidden_cells_in_year"]
    figures: dict[str, float] = {
        "areas": len(areas),
        "stored_cells": len(cells) + len(channels),
        "hidden_cells": hidden,
        "protect_seconds": protect,
        "raw_p95_ms": _p95(raw) * 1000,
    }
    for name, values in samples.items():
        figures[f"{name}_p50_ms"] = statistics.median(values) * 1000
        figures[f"{name}_p95_ms"] = _p95(values) * 1000
        figures[f"{name}_ratio"] = _p95(values) / _p95(raw)
    return figures


def run() -> dict[str, Any] | None:
    """Each size in a child process, as long as the budget lasts: the figures of every size
    that finished, and the first that did not."""
    if _areas() is None:
        return None
    sizes: list[dict[str, float]] = []
    unfinished: int | None = None
    failed: tuple[int, list[str]] | None = None
    deadline = time.monotonic() + BUDGET
    for count in SIZES:
        left = deadline - time.monotonic()
        try:
            child = subprocess.run(
                [sys.executable, __file__, "--areas", str(count)],
                capture_output=True,
                text=True,
                timeout=max(left, 1),
                check=True,
                cwd=REPO,
            )
        except subprocess.TimeoutExpired:
            unfinished = count
            break
        except subprocess.CalledProcessError as failure:
            failed = (count, (failure.stderr or "").strip().splitlines()[-1:] or ["(no output)"])
            break
        sizes.append(json.loads(child.stdout.strip().splitlines()[-1]))
    return {"sizes": sizes, "unfinished": unfinished, "failed": failed, "budget": BUDGET}


def report(result: dict[str, Any] | None) -> str:
    if result is None:
        return f"   skipped: Berlin's planning areas not found at {BERLIN}"
    lines = [_size_report(figures) for figures in result["sizes"]]
    if result["unfinished"]:
        lines.append(
            f"{result['unfinished']} planning areas: protecting the year did not finish within the budget "
            f"(QN_BENCH_TABLES_BUDGET={result['budget']:.0f} s for all sizes); the tables of a city this size "
            "were not measured"
        )
    if result["failed"]:
        count, last = result["failed"]
        lines.append(f"{count} planning areas: the measurement failed: {last[0]}")
    return "\n".join(lines)


def _size_report(figures: dict[str, float]) -> str:
    lines = [
        f"{figures['areas']:.0f} planning areas, {figures['stored_cells']:,.0f} stored cells of a year of concerns; "
        f"protecting the year (first request): {figures['protect_seconds']:.1f} s, "
        f"{figures['hidden_cells']:,.0f} cells hidden",
        f"  baseline GET /counts (the year's raw cells, unprotected):   p95 {figures['raw_p95_ms']:>7.1f} ms",
    ]
    for name, label in (
        ("quarter_quartal_topics", "table quarter x Quartal x topic"),
        ("quarter_year_topics", "table quarter x year x topic"),
        ("city_quartal_topics", "table city x Quartal x topic"),
        ("dashboard", "dashboard page (three tables, map, HTML)"),
    ):
        lines.append(
            f"  {label:<42} p50 {figures[name + '_p50_ms']:>7.1f} ms  p95 {figures[name + '_p95_ms']:>7.1f} ms  "
            f"({figures[name + '_ratio']:.2f}x the baseline's p95)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, help="measure one size in this process and print its JSON")
    arguments = parser.parse_args()
    if arguments.areas:
        print(json.dumps(serve(arguments.areas)))
    else:
        print(report(run()))
