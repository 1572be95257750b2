"""The people of the demo city that the local sign-in lists: one staff member per team, a
Kümmerer, a coordinator, one account per carrier or office (from the city's `city.toml`), and
the demo volunteers who have a login (`volunteers.toml`, whose `account` matching knows)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoUser:
    id: str
    role: str
    team: str | None = None
    team_name: str | None = None
    org: str | None = None
    org_name: str | None = None
    name: str | None = None
    """How a volunteer is called (their login is their id)."""


def demo_users(city_dir: Path) -> list[DemoUser]:
    path = city_dir / "city.toml"
    if not path.is_file():
        return []
    city = tomllib.loads(path.read_text(encoding="utf-8"))
    teams = [(str(t["id"]), str(t.get("name", t["id"]))) for t in city.get("teams", []) if "id" in t]
    orgs = [(str(o["id"]), str(o.get("name", o["id"]))) for o in city.get("organisations", []) if "id" in o]
    users = [DemoUser(f"demo-staff-{team}", "team_staff", team, name) for team, name in teams]
    if teams:
        users.append(DemoUser(f"demo-kuemmerer-{teams[0][0]}", "kuemmerer", *teams[0]))
    users.append(DemoUser("demo-coordinator", "coordinator"))
    users.append(DemoUser("demo-committee", "committee"))
    users += [DemoUser(f"demo-carrier-{org}", "carrier", org=org, org_name=name) for org, name in orgs]
    return users + _volunteers(city_dir / "volunteers.toml")


def _volunteers(path: Path) -> list[DemoUser]:
    if not path.is_file():
        return []
    listed = tomllib.loads(path.read_text(encoding="utf-8")).get("volunteers", [])
    return [
        DemoUser(str(v["account"]), "volunteer", name=str(v.get("display_name", v["account"])))
        for v in listed
        if v.get("account")
    ]
