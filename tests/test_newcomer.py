"""A newcomer's first ten minutes: the README's `export TOKEN=$(make -s token ROLE=team_staff)` gives
a token that works on the team's queue; `make token` refuses what the services would not know,
naming what they do know; the start banner says where the broker is and how to get a token for
every role."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import jwt
import pytest

from qn_infra.auth import Role
from qn_infra.devkeys import DevCity
from qn_intake.app import create_app
from qn_intake.config import IntakeSettings
from qn_testkit.services import REPO, running_app

DEMO_CITY = REPO / "deploy" / "demo-city"
CITY = tomllib.loads((DEMO_CITY / "city.toml").read_text(encoding="utf-8"))
ORGANISATIONS = [o["id"] for o in CITY["organisations"]]
TEAMS = [t["id"] for t in CITY["teams"]]


def make_token(keys: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`make -s token ...` as a newcomer types it (the venv counts as installed; keys in `keys`)."""
    return subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "token", f"PY={sys.executable}", f"KEYS={keys}", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_readme_token_for_team_staff_opens_the_teams_queue(
    tmp_path: Path, service_settings: Callable[..., Any]
) -> None:
    made = make_token(tmp_path, "ROLE=team_staff")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert made.stdout == token + "\n", "only the token, so that export TOKEN=$(...) works"
    assert jwt.decode(token, options={"verify_signature": False})["team"] == TEAMS[0] == "team-innenstadt"

    settings = service_settings(IntakeSettings, city_dir=DEMO_CITY, auth_jwks_file=tmp_path / "jwks.json")
    with running_app(create_app(settings), migrations_of="intake", database_url=settings.database_url) as intake:
        queue = intake.get("/queue", headers={"Authorization": f"Bearer {token}"})
    assert queue.status_code == 200, queue.text


def test_a_kuemmerer_token_gets_the_demo_team_too(tmp_path: Path) -> None:
    made = make_token(tmp_path, "ROLE=kuemmerer")
    assert jwt.decode(made.stdout.strip(), options={"verify_signature": False})["team"] == "team-innenstadt"


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["ROLE=carrier"], ORGANISATIONS),
        (["ROLE=carrier", "ORG=awo"], ORGANISATIONS),
        (["ROLE=team_staff", "TEAM=team-mitte"], TEAMS),
        (["ROLE=sachbearbeitung"], [role.value for role in Role]),
    ],
    ids=["carrier-without-org", "unknown-org", "unknown-team", "unknown-role"],
)
def test_make_token_refuses_what_the_services_would_not_know_naming_what_they_do(
    tmp_path: Path, arguments: list[str], named: list[str]
) -> None:
    made = make_token(tmp_path, *arguments)
    assert made.returncode != 0
    assert made.stdout == "", "no half token to export"
    assert all(name in made.stderr for name in named), made.stderr


def test_a_carrier_token_carries_its_organisation(tmp_path: Path) -> None:
    made = make_token(tmp_path, "ROLE=carrier", "ORG=awo-dessau")
    claims = jwt.decode(made.stdout.strip(), options={"verify_signature": False})
    assert (claims["roles"], claims["org"]) == (["carrier"], "awo-dessau")


def local_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("local_run", REPO / "deploy" / "local" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_start_banner_names_the_broker_and_a_token_line_for_every_role() -> None:
    run = local_runner()
    text = run.banner(
        DevCity.read(DEMO_CITY),
        nats_url="nats://127.0.0.1:40329",
        port_note="port 4222 was taken, perhaps by another NATS; this broker uses 40329",
        sites=2,
        volunteers=8,
        token="TOKEN",
    )
    assert "broker      nats://127.0.0.1:40329   (port 4222 was taken" in text
    for role in Role:
        assert f"make token ROLE={role.value}" in text, role
    assert "make token ROLE=carrier ORG=drk-dessau" in text
    assert "export TOKEN=TOKEN" in text
