"""The generated NATS configuration is the one committed for the demo city, a nats-server accepts
it, and it grants each service exactly the consumers the service registers."""

from __future__ import annotations

import importlib
import os
import subprocess
from pathlib import Path

import pytest

from qn_infra import nats_config
from qn_infra.embedded_broker import nats_server_binary
from qn_testkit.services import REPO

pytestmark = pytest.mark.unit

DEMO_CITY = REPO / "deploy" / "demo-city"
COMMITTED = REPO / "deploy" / "nats" / "auth.conf"


def test_the_committed_auth_conf_is_the_generated_one() -> None:
    assert nats_config.main(["--city-dir", str(DEMO_CITY), "--admin", "--out", str(COMMITTED), "--check"]) == 0, (
        "regenerate: python -m qn_infra.nats_config --city-dir deploy/demo-city --admin --out deploy/nats/auth.conf"
    )


def test_nats_server_accepts_it_with_the_passwords_in_its_environment_and_refuses_it_without(tmp_path: Path) -> None:
    users = nats_config.users(DEMO_CITY, admin=True)
    (tmp_path / "auth.conf").write_text(COMMITTED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "server.conf").write_text('jetstream { store_dir: "store" }\ninclude "auth.conf"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QN_NATS_PASSWORD_")}
    missing = subprocess.run(
        [nats_server_binary(), "-t", "-c", "server.conf"], cwd=tmp_path, env=env, capture_output=True
    )
    assert missing.returncode != 0 and b"QN_NATS_PASSWORD_" in missing.stdout + missing.stderr
    env.update({user.password_variable: "s3cret" for user in users})
    accepted = subprocess.run(
        [nats_server_binary(), "-t", "-c", "server.conf"], cwd=tmp_path, env=env, capture_output=True
    )
    assert accepted.returncode == 0, accepted.stderr.decode()


def test_every_carrier_and_office_of_the_city_gets_its_own_user() -> None:
    names = {user.name for user in nats_config.users(DEMO_CITY)}
    assert {
        "intake",
        "matching",
        "scheduling",
        "reporting",
        "org-awo-dessau",
        "org-caritas-dessau",
        "org-sozialamt",
    } <= names
    assert "admin" not in names  # only with --admin, for the migration step


def test_an_organisation_id_that_cannot_be_a_subject_token_is_refused() -> None:
    with pytest.raises(ValueError, match=r"awo\.dessau"):
        nats_config.organisation_user("awo.dessau")


def test_a_new_secrets_file_is_written_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    target = tmp_path / "nats.env"
    assert (
        nats_config.main(
            ["--city-dir", str(DEMO_CITY), "--out", str(tmp_path / "auth.conf"), "--new-secrets", str(target)]
        )
        == 0
    )
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    lines = target.read_text().splitlines()
    assert len(lines) == len(nats_config.users(DEMO_CITY)) and all(len(line.split("=", 1)[1]) >= 32 for line in lines)
    assert nats_config.main(["--city-dir", str(DEMO_CITY), "--new-secrets", str(target)]) == 1  # never overwritten


@pytest.mark.parametrize("service", sorted(nats_config.SERVICE_CONSUMERS))
def test_each_service_is_granted_exactly_the_consumers_it_registers(service: str, tmp_path: Path) -> None:
    settings_class = {
        "intake": "qn_intake.config:IntakeSettings",
        "matching": "qn_matching.config:MatchingSettings",
        "scheduling": "qn_scheduling.config:SchedulingSettings",
        "reporting": "qn_reporting.config:ReportingSettings",
    }[service]
    module, name = settings_class.split(":")
    settings = getattr(importlib.import_module(module), name)(data_dir=tmp_path, city_dir=DEMO_CITY)
    app = importlib.import_module(f"qn_{service}.app").create_app(settings)
    registered = {(spec.durable, spec.subject) for spec in app.state.runtime.messaging.consumers}
    granted = {(f"{service}-{name}", subject) for name, subject in nats_config.SERVICE_CONSUMERS[service]}
    assert registered == granted
