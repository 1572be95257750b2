"""Ranking one help request among 100,000 volunteers spread over Berlin's 542 planning areas, as
matching does it, against the same hard filter as one SQL pass -- both on the same SQLite
database, request after request, in the same run.

The volunteers are spread over the planning areas by their residents (Monitoring Soziale
Stadtentwicklung 2021, `../shared/data/berlin/mss_2021_plr.csv`), with realistic mixes of help
kinds, languages, weekly slots (one to three), statuses (most active; some paused, prospective or
archived), caps on open tasks, police-certificate checks (some expired) and absences today.
Berlin's planning areas come without outlines here, so every volunteer helps in their own area.

- matching: what a proposal costs per request -- a fresh `CandidatePool` reads the candidates of
  the request's area (and their open tasks) and `choose_next` applies the hard rules and the
  ranking (continuity, languages shared, skill level, load, next available slot, registration).
- baseline: one SQL statement with the same hard rules (area, active, not away today, every skill,
  a valid check for kinds that need one, under the cap, some weekly slot), returning the ids.
- Before each request, the area's volunteers are read once, untimed, so that neither pays for
  fetching the area's pages from disk (which decided p50 at 100,000 volunteers, for whichever
  went first).

p50 and p99 per request of each, and their ratio; aim: matching within 2x of the baseline. The
chosen volunteer is checked to be one the baseline lets through, and nobody is chosen exactly when
the baseline finds nobody. Sizes: QN_BENCH_RANKING_VOLUNTEERS (100,000), QN_BENCH_RANKING_REQUESTS
(1,000); QN_BERLIN_DATA names another folder holding the Berlin files."""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
BERLIN = Path(os.environ.get("QN_BERLIN_DATA", REPO / ".." / "shared" / "data" / "berlin")) / "mss_2021_plr.csv"
VOLUNTEERS = int(os.environ.get("QN_BENCH_RANKING_VOLUNTEERS", "100000"))
REQUESTS = int(os.environ.get("QN_BENCH_RANKING_REQUESTS", "1000"))
AIM = 2.0
TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2027, 3, 10, 9, 30, tzinfo=TZ).astimezone(UTC)  # a Wednesday morning
KINDS = ("shopping", "small_repairs", "escort", "walk", "reading", "company", "digital_help", "paperwork")
VETTED = frozenset({"reading", "company"})
LANGUAGES = (["de"], ["de"], ["de"], ["de", "en"], ["de", "tr"], ["de", "ru"], ["ar", "de"], ["uk", "ru"], ["pl", "de"])
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
LEVELS = ("basic", "experienced", "expert")
LEVEL_WANTED = {"small_repairs": 2, "digital_help": 2}  # experienced, as matching's default settings

BASELINE = """
SELECT v.id FROM volunteers v
WHERE v.quarter_id = :quarter AND v.status = 'active'
  AND json_array_length(v.availability) > 0
  AND EXISTS (SELECT 1 FROM json_each(v.skills) WHERE json_each.value = :kind)
  AND (:vetted = 0 OR (v.vetting_no_relevant_entry = 1 AND v.vetting_recheck_on > :today))
  AND NOT EXISTS (SELECT 1 FROM volunteer_absences a
                  WHERE a.volunteer_id = v.id AND a.starts_on <= :today AND a.ends_on >= :today)
  AND (v.max_open_tasks IS NULL OR v.max_open_tasks > (
       SELECT count(*) FROM matches m WHERE m.volunteer_id = v.id AND m.status IN ('proposed', 'accepted')))
"""


def _areas() -> list[tuple[str, int]]:
    with BERLIN.open(encoding="utf-8") as handle:
        return [(row["PLR_ID"], max(1, int(float(row["Resident Count"] or 0)))) for row in csv.DictReader(handle)]


def _volunteer_rows(areas: list[tuple[str, int]], n: int, rng: random.Random) -> list[dict[str, Any]]:
    ids = [a for a, _ in areas]
    weights = [w for _, w in areas]
    homes = rng.choices(ids, weights=weights, k=n)
    today = NOW.astimezone(TZ).date()
    rows = []
    for i, home in enumerate(homes):
        slots = [
            {"weekday": rng.choice(WEEKDAYS), "starts": f"{h:02d}:00", "ends": f"{h + rng.randint(1, 4):02d}:00"}
            for h in rng.sample(range(8, 18), rng.choice([1, 1, 2, 3]))
        ]
        vetted = rng.random() < 0.4
        registered = NOW - timedelta(days=rng.randint(1, 2000), seconds=i)
        rows.append(
            {
                "id": uuid.uuid4(),
                "volunteer_ref": uuid.uuid4(),
                "display_name": f"Bench {i}",
                "quarter_id": home,
                "skills": (skills := rng.sample(KINDS, rng.randint(1, 4))),
                # about half say how well they do one of their skills
                "skill_levels": {rng.choice(skills): rng.choice(LEVELS)} if rng.random() < 0.5 else None,
                "languages": rng.choice(LANGUAGES),
                "availability": slots if rng.random() < 0.97 else [],
                "status": rng.choices(["active", "paused", "prospective", "inactive"], [85, 6, 5, 4])[0],
                "reach": "own_quarter",
                "max_open_tasks": rng.choice([None, None, None, 1, 2, 3]),
                "vetting_no_relevant_entry": True if vetted else None,
                "vetting_certificate_date": today - timedelta(days=rng.randint(10, 2200)) if vetted else None,
                "vetting_recheck_on": today + timedelta(days=rng.randint(-300, 1500)) if vetted else None,
                "registered_by": "bench",
                "registered_at": registered,
                "status_changed_at": registered,
            }
        )
    return rows


def _sqlite_value(value: Any) -> Any:
    """A value as SQLAlchemy stores it on SQLite (UUIDs as 32 hex digits, JSON as text, UTC
    timestamps without offset), so that the volunteers load with the driver's own executemany:
    at 100,000 volunteers, binding through SQLAlchemy took most of the section's time."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _insert(connection: Any, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    values = [tuple(_sqlite_value(row[c]) for c in columns) for row in rows]
    connection.exec_driver_sql(statement, values)


def _load(url: str, rows: list[dict[str, Any]], rng: random.Random) -> None:
    from qn_infra.database import make_engine

    engine = make_engine(url)
    today = NOW.astimezone(TZ).date()
    with engine.begin() as connection:
        _insert(connection, "volunteers", rows)
        away = [
            {
                "id": uuid.uuid4(),
                "volunteer_id": row["id"],
                "starts_on": today - timedelta(days=rng.randint(0, 5)),
                "ends_on": today + timedelta(days=rng.randint(-3, 10)),
                "reason": "holiday",
                "entered_by": "bench",
                "entered_at": NOW,
            }
            for row in rng.sample(rows, len(rows) // 30)
        ]
        _insert(connection, "volunteer_absences", away)
    engine.dispose()


def _quantiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


def run() -> dict[str, Any]:
    if not BERLIN.is_file():
        return {"skipped": f"{BERLIN} not found"}
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from qn_infra.database import make_engine, migrate
    from qn_matching.city import City
    from qn_matching.matches.domain import Need
    from qn_matching.matches.handlers import CandidatePool, MatchingPolicy

    rng = random.Random(8)
    areas = _areas()
    figures: dict[str, Any] = {"volunteers": VOLUNTEERS, "areas": len(areas), "requests": REQUESTS}
    with tempfile.TemporaryDirectory(prefix="qn-bench-ranking-") as tmp:
        url = f"sqlite:///{tmp}/matching.db"
        migrate(url, REPO / "services" / "matching" / "qn_matching" / "migrations")
        started = time.perf_counter()
        _load(url, _volunteer_rows(areas, VOLUNTEERS, rng), rng)
        figures["load_seconds"] = time.perf_counter() - started

        city = City(frozenset(a for a, _ in areas), TZ)  # no outlines: everyone helps in their own area
        policy = MatchingPolicy(
            timedelta(hours=48), TZ, city=city, vetted_kinds=VETTED, max_reach_km=5.0, levels_wanted=LEVEL_WANTED
        )
        today = NOW.astimezone(TZ).date()
        ids, weights = [a for a, _ in areas], [w for _, w in areas]
        needs = [
            Need(
                quarter_id=rng.choices(ids, weights=weights)[0],
                help_kind=(kind := rng.choice(KINDS)),
                skills=frozenset(),
                languages=tuple(rng.choice(LANGUAGES)),
                vetting_needed_on=today if kind in VETTED else None,
                level_wanted=LEVEL_WANTED.get(kind, 0),
            )
            for _ in range(REQUESTS)
        ]
        engine = make_engine(url)
        ours: list[float] = []
        baseline: list[float] = []
        nobody = 0
        try:
            with Session(engine) as session:
                uow = SimpleNamespace(session=session)
                statement = text(BASELINE)
                warm = text("SELECT availability, skills FROM volunteers WHERE quarter_id = :quarter")
                connection = session.connection()
                for index, need in enumerate(needs):
                    parameters = {
                        "quarter": need.quarter_id,
                        "kind": need.help_kind,
                        "vetted": int(need.vetting_needed_on is not None),
                        "today": today.isoformat(),
                    }

                    def filtered(parameters: dict[str, Any] = parameters) -> set[str]:
                        return {str(uuid.UUID(str(raw))) for raw in connection.execute(statement, parameters).scalars()}

                    def ranked(need: Need = need) -> Any:
                        pool = CandidatePool(uow, policy, today=today)  # type: ignore[arg-type]
                        return pool.choose_next(need.quarter_id, need, NOW)

                    # the area's rows read once, untimed: whichever went first would otherwise pay
                    # for fetching its pages from disk (at 100,000 volunteers the table outgrows the
                    # caches and an area's rows lie scattered), and that, not the work, decided p50
                    connection.execute(warm, {"quarter": need.quarter_id}).all()
                    # alternate which goes first, so that a change in the machine's load hits both
                    order = [("baseline", filtered), ("ours", ranked)]
                    if index % 2:
                        order.reverse()
                    results = {}
                    for name, call in order:
                        t0 = time.perf_counter()
                        results[name] = call()
                        (baseline if name == "baseline" else ours).append(time.perf_counter() - t0)
                    chosen, allowed = results["ours"], results["baseline"]
                    if chosen is None:
                        nobody += 1
                        if allowed:
                            raise RuntimeError(f"matching found nobody where the filter lets {len(allowed)} through")
                    elif str(chosen.candidate.volunteer_id) not in allowed:
                        raise RuntimeError("matching chose a volunteer the hard filter does not let through")
        finally:
            engine.dispose()
    figures["ours_p50_ms"], figures["ours_p99_ms"] = (1000 * q for q in _quantiles(ours))
    figures["baseline_p50_ms"], figures["baseline_p99_ms"] = (1000 * q for q in _quantiles(baseline))
    figures["ratio_p50"] = figures["ours_p50_ms"] / figures["baseline_p50_ms"]
    figures["ratio_p99"] = figures["ours_p99_ms"] / figures["baseline_p99_ms"]
    figures["nobody"] = nobody
    return figures


def report(figures: dict[str, Any]) -> str:
    if "skipped" in figures:
        return f"   skipped: {figures['skipped']}"

    def met(ratio: float) -> str:
        return "meets the aim" if ratio <= AIM else "MISSES the aim"

    return "\n".join(
        [
            f"   {figures['volunteers']:,} volunteers in {figures['areas']} planning areas (SQLite, loaded in "
            f"{figures['load_seconds']:.1f} s); {figures['requests']:,} help requests, "
            f"{figures['nobody']} of them with nobody eligible",
            f"   {'':38}{'p50 ms':>9}{'p99 ms':>9}",
            f"   {'matching: read the area, rank, choose':38}"
            f"{figures['ours_p50_ms']:>9.2f}{figures['ours_p99_ms']:>9.2f}",
            f"   {'baseline: the hard filter in one SQL':38}"
            f"{figures['baseline_p50_ms']:>9.2f}{figures['baseline_p99_ms']:>9.2f}",
            f"   ratio p50 {figures['ratio_p50']:.2f}x, p99 {figures['ratio_p99']:.2f}x "
            f"(aim <= {AIM:.0f}x: p50 {met(figures['ratio_p50'])}, p99 {met(figures['ratio_p99'])})",
        ]
    )


if __name__ == "__main__":
    print(report(run()))
