"""Loads the demo city's sites and volunteers into the running services over their HTTP APIs,
the way a coordinator would enter them. Safe to run again: sites are PUT (idempotent), and
volunteers are only added when matching has none yet (a second `make run` keeps the data)."""

from __future__ import annotations

import tomllib
from pathlib import Path

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
