"""Loads the demo city's sites, their week of offers and volunteers into the running services
over their HTTP APIs, the way a coordinator would enter them. Safe to run again: sites are PUT
(idempotent); offers are only added to a site that has none yet, and volunteers only when
matching has none yet (a second `make run` keeps the data)."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

DEMO_CITY = Path(__file__).resolve().parents[1] / "demo-city"


def load_sites(scheduling_url: str, token: str, path: Path = DEMO_CITY / "sites.toml") -> int:
    sites = tomllib.loads(path.read_text(encoding="utf-8")).get("sites", [])
    headers = {"Authorization": f"Bearer {token}"}
    for site in sites:
        body = {key: value for key, value in site.items() if key != "id"}
        response = httpx.put(f"{scheduling_url}/sites/{site['id']}", json=body, headers=headers, timeout=10)
        response.raise_for_status()
    return len(sites)


def offer_bodies(today: date, path: Path = DEMO_CITY / "offers.toml") -> list[tuple[str, dict[str, Any]]]:
    """(site id, body of `POST /sites/{id}/offers`) for each offer of the file: every series starts
    on the Monday after `today` and ends `[planning] months` later (UNTIL, that day included)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    first_day = today + timedelta(days=7 - today.weekday())
    until = first_day + timedelta(days=round(int(raw["planning"]["months"]) * 365.25 / 12))
    bodies = []
    for offer in raw.get("offers", []):
        body = {key: value for key, value in offer.items() if key != "site_id"}
        body["first_day"] = first_day.isoformat()
        body["rrule"] = f"{offer['rrule']};UNTIL={until:%Y%m%d}"
        bodies.append((str(offer["site_id"]), body))
    return bodies


def load_offers(scheduling_url: str, token: str, today: date, path: Path = DEMO_CITY / "offers.toml") -> int:
    headers = {"Authorization": f"Bearer {token}"}
    planned: dict[str, bool] = {}
    count = 0
    for site_id, body in offer_bodies(today, path):
        if site_id not in planned:
            existing = httpx.get(f"{scheduling_url}/sites/{site_id}/offers", headers=headers, timeout=10)
            existing.raise_for_status()
            planned[site_id] = bool(existing.json())
        if planned[site_id]:
            continue
        response = httpx.post(f"{scheduling_url}/sites/{site_id}/offers", json=body, headers=headers, timeout=60)
        response.raise_for_status()
        count += 1
    return count


def load_volunteers(matching_url: str, token: str, path: Path = DEMO_CITY / "volunteers.toml") -> int:
    headers = {"Authorization": f"Bearer {token}"}
    existing = httpx.get(f"{matching_url}/volunteers", headers=headers, timeout=10)
    existing.raise_for_status()
    if _count(existing.json()):
        return 0
    volunteers = tomllib.loads(path.read_text(encoding="utf-8")).get("volunteers", [])
    for volunteer in volunteers:
        response = httpx.post(f"{matching_url}/volunteers", json=volunteer, headers=headers, timeout=10)
        response.raise_for_status()
    return len(volunteers)


def _count(listing: object) -> int:
    if isinstance(listing, list):
        return len(listing)
    if isinstance(listing, dict):
        items = listing.get("items", listing.get("volunteers", []))
        return len(items) if isinstance(items, list) else 0
    return 0
